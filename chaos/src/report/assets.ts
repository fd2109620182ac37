import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The browser bundles the HTML report inlines, so it opens offline and under a strict CSP. */
export interface ChartAssets {
  chartJs: string;
  annotationPlugin: string;
}

let cached: ChartAssets | undefined;

/**
 * Reads chart.js's UMD bundle and chartjs-plugin-annotation's browser bundle (which registers
 * itself on `window.Chart`). Neither package exports its `dist/` files, so they are found next
 * to the resolved entry point.
 */
export function chartAssets(): ChartAssets {
  cached ??= {
    chartJs: readBundle('chart.js', 'chart.umd.js'),
    annotationPlugin: readBundle('chartjs-plugin-annotation', 'chartjs-plugin-annotation.min.js'),
  };
  return cached;
}

function readBundle(pkg: string, file: string): string {
  const path = join(dirname(require.resolve(pkg)), file);
  // A literal `</script` inside the bundle would end the inline script early.
  return readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
}
