const LINE_WIDTH = 160;

/**
 * JSON with two-space indents, as the repository's formatter (biome) writes it: objects one key a
 * line, arrays of plain values on one line when they fit. Every generated JSON file (compose, dashboards,
 * the experiment schema, the gate baseline) is written with it, so it passes `biome check` as written.
 */
export function formatJson(value: unknown): string {
  return `${format(value, '', 0)}\n`;
}

function format(value: unknown, indent: string, prefixLength: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    const plain = value.every((item) => item === null || typeof item !== 'object');
    // +1 for a trailing comma.
    if (plain && indent.length + prefixLength + flat.length + 1 <= LINE_WIDTH) return flat;
    return `[\n${value.map((item) => inner + format(item, inner, 0)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries
    .map(([key, item]) => {
      const prefix = `${JSON.stringify(key)}: `;
      return inner + prefix + format(item, inner, prefix.length);
    })
    .join(',\n')}\n${indent}}`;
}
