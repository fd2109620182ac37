import Table from 'cli-table3';
import pc from 'picocolors';

/** A plain terminal table with a bold header. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const t = new Table({ head: head.map((h) => pc.bold(h)), style: { head: [], border: [], compact: true } });
  for (const row of rows) t.push([...row]);
  return t.toString();
}

const HEALTH_COLOURS = {
  ready: pc.green,
  running: pc.green,
  ok: pc.green,
  starting: pc.yellow,
  foreign: pc.yellow,
  stopped: pc.red,
  missing: pc.red,
  differs: pc.red,
  closed: pc.green,
  open: pc.red,
  half_open: pc.yellow,
  disabled: pc.dim,
} as const;

/** A health word coloured by meaning. */
export function health(word: string): string {
  const colour = HEALTH_COLOURS[word as keyof typeof HEALTH_COLOURS];
  return colour ? colour(word) : word;
}
