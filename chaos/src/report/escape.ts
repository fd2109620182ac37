// Characters XML 1.0 forbids even when escaped; a stray one in a probe's output would make
// the whole JUnit file unreadable, so they are dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for XML or HTML content and attribute values (quotes included). */
export function escapeMarkup(text: unknown): string {
  return String(text ?? '')
    .replace(FORBIDDEN_IN_XML, '')
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Escapes an attribute value, keeping line breaks (an XML parser normalises a raw newline to a space). */
export function escapeAttribute(text: unknown): string {
  return escapeMarkup(text).replace(/\r?\n/g, '&#10;');
}

/** JSON that is safe inside an inline `<script>`: no `</script>`, no `<!--`, no line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
