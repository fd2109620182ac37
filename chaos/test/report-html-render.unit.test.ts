import assert from 'node:assert/strict';
import vm from 'node:vm';
import { toHtml } from '../src/report/html.js';
import { journal } from './fixtures/journals.js';

// No browser here: the page's own scripts run in a VM against a minimal DOM whose canvas
// contexts accept any drawing call. This catches a config chart.js or the annotation plugin
// rejects, or a boot script that breaks, without asserting any pixels.
// biome-ignore lint/suspicious/noExplicitAny: a stub DOM is untyped by nature
type Any = any;

function stubCanvas(): Any {
  const canvas: Any = { style: {}, width: 800, height: 260, clientWidth: 800, clientHeight: 260, parentNode: null };
  const context: Any = new Proxy(() => {}, {
    get: (_target, key) => (key === 'canvas' ? canvas : context),
    apply: () => ({ width: 10, actualBoundingBoxAscent: 5, actualBoundingBoxDescent: 2 }),
    set: () => true,
  });
  const computed = { getPropertyValue: () => '', maxWidth: 'none', maxHeight: 'none' };
  Object.assign(canvas, {
    getContext: () => context,
    ownerDocument: { defaultView: { getComputedStyle: () => computed } },
    getBoundingClientRect: () => ({ left: 0, top: 0, width: 800, height: 260 }),
    getAttribute: () => null,
    setAttribute() {},
    removeAttribute() {},
    addEventListener() {},
    removeEventListener() {},
  });
  return canvas;
}

function runPage(html: string): { Chart: Any; errors: unknown[] } {
  const scripts = [...html.matchAll(/<script( type="application\/json" id="faultline-charts")?>(.*?)<\/script>/gs)];
  const data = scripts.find((s) => s[1])?.[2];
  const canvases = new Map<string, Any>();
  const errors: unknown[] = [];
  const observer = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  const document = {
    getElementById: (id: string) => (id === 'faultline-charts' ? { textContent: data } : (canvases.get(id) ?? canvases.set(id, stubCanvas()).get(id))),
  };
  const window: Any = { document, devicePixelRatio: 1, MutationObserver: observer, ResizeObserver: observer, addEventListener() {}, removeEventListener() {} };
  Object.assign(window, { window, self: window, console: { ...console, error: (...args: unknown[]) => errors.push(args) }, requestAnimationFrame: () => 0 });
  vm.createContext(window);
  for (const script of scripts.filter((s) => !s[1])) vm.runInContext(script[2] ?? '', window);
  return { Chart: window.Chart, errors };
}

describe('HTML report in a (stub) browser', () => {
  it('builds every chart with the annotation plugin registered and the breaker states as tick labels', () => {
    const { Chart, errors } = runPage(toHtml(journal('passed-breaker-opens')));
    assert.deepEqual(errors, []);
    assert.ok(Chart.registry.plugins.get('annotation'), 'annotation plugin registered');
    const charts: Any[] = Object.values(Chart.instances);
    assert.equal(charts.length, 4);
    const breakers = charts.find((c) => c.canvas && c.config.options.scales.y.title.text === 'state');
    breakers.resize(800, 260);
    breakers.update();
    assert.deepEqual(
      Array.from(breakers.scales.y.ticks, (t: Any) => t.label),
      ['closed', 'half_open', 'open'],
    );
  });
});
