import { describeFault } from './faults.js';
import type { Experiment } from './schema.js';

const cell = (text: string) => text.replaceAll('|', '\\|');

/**
 * The catalogue as a Markdown table — experiment, faults, the mechanisms it verifies (each
 * proven by `chaos prove`), the alerts it expects to fire. The README's table is this output
 * (`npm run faultline -- chaos list --markdown`); a test keeps the two equal.
 */
export function catalogueTable(experiments: ReadonlyMap<string, Experiment>): string {
  const rows = [...experiments].map(([name, e]) => {
    // Bursts of the same fault read as one line: `6 × reset_peer … on \`order__product\` (0.2 s each)`.
    const counts = new Map<string, number>();
    for (const f of e.faults) {
      const d = describeFault(f);
      const line = `${d.what} on \`${d.target}\` (${f.duration} s`;
      counts.set(line, (counts.get(line) ?? 0) + 1);
    }
    const faults = [...counts].map(([line, n]) => (n > 1 ? `${n} × ${line} each)` : `${line})`));
    const alerts = [...new Set(e.expectations.flatMap((x) => (x.kind === 'alert-fires' ? [x.alert] : [])))];
    return [name, e.title, faults.join('; '), e.verifies.join(', '), alerts.join(', ')].map(cell);
  });
  const header = ['experiment', 'title', 'faults', 'verifies (each knock-out proven to fail it)', 'alerts expected to fire'];
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
