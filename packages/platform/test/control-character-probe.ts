import assert from 'node:assert/strict';

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document read loosely
type Schema = Record<string, any>;

/** The characters the probe sends: NUL (PostgreSQL refuses it in text) and ESC (a terminal escape). */
export const PROBE_CHARACTERS = { NUL: '\u0000', ESC: '\u001b' } as const;

const ANY_UUID = '00000000-0000-4000-8000-000000000000';

export interface ProbeCase {
  method: string;
  /** The OpenAPI path (`/v1/orders/{id}`). */
  route: string;
  in: 'path' | 'query' | 'body';
  /** The field, dotted (`items.0.productId`). */
  field: string;
}

function resolve(doc: Schema, schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (typeof schema.$ref === 'string')
    return resolve(
      doc,
      schema.$ref
        .split('/')
        .slice(1)
        .reduce((node: Schema, key: string) => node?.[key], doc),
    );
  const branch = schema.allOf ?? schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branch)) {
    const merged = branch.map((s: Schema) => resolve(doc, s)).filter((s): s is Schema => Boolean(s) && s?.type !== 'null');
    return merged.length === 1 ? merged[0] : (merged.find((s) => s.properties || s.type === 'string') ?? merged[0]);
  }
  return schema;
}

const isText = (schema: Schema | undefined) => schema?.type === 'string' || (Array.isArray(schema?.type) && schema.type.includes('string'));

/** Every text field under a body schema, as paths (array items as index 0). */
function textFields(doc: Schema, schema: Schema | undefined, at: string[] = [], depth = 0): string[][] {
  const resolved = resolve(doc, schema);
  if (!resolved || depth > 6) return [];
  if (isText(resolved)) return [at];
  if (resolved.type === 'array') return textFields(doc, resolved.items, [...at, '0'], depth + 1);
  return Object.entries((resolved.properties ?? {}) as Record<string, Schema>).flatMap(([key, child]) => textFields(doc, child, [...at, key], depth + 1));
}

/** An object with `value` at `path` (arrays where the path has an index). */
function nest(path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  return head === '0' ? [nest(rest, value)] : { [head as string]: nest(rest, value) };
}

/** Every text field of every operation the service documents: path parameters, query parameters and body fields. */
export function probeCases(doc: Schema): ProbeCase[] {
  const cases: ProbeCase[] = [];
  for (const [route, item] of Object.entries((doc.paths ?? {}) as Record<string, Schema>)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const parameter of (operation.parameters ?? []) as Schema[]) {
        const p = resolve(doc, parameter) as Schema;
        if ((p.in === 'path' || p.in === 'query') && isText(resolve(doc, p.schema))) cases.push({ method, route, in: p.in, field: p.name });
      }
      const body = operation.requestBody?.content?.['application/json']?.schema;
      for (const field of textFields(doc, body)) if (field.length) cases.push({ method, route, in: 'body', field: field.join('.') });
    }
  }
  return cases;
}

/**
 * Sends `character` into one field of one operation (every other path parameter a valid id) and
 * asserts the answer: 400 `validation-failed`, naming that field as holding a control character.
 */
export async function probe(baseUrl: string, doc: Schema, c: ProbeCase, character: string): Promise<void> {
  const bad = `probe${character}text`;
  const path = c.route.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(c.in === 'path' && name === c.field ? bad : ANY_UUID));
  const query = c.in === 'query' ? `?${new URLSearchParams({ [c.field]: bad })}` : '';
  const hasBody = Boolean(doc.paths[c.route][c.method].requestBody);
  const body = c.in === 'body' ? nest(c.field.split('.'), bad) : hasBody ? {} : undefined;
  const response = await fetch(`${baseUrl}${path}${query}`, {
    method: c.method.toUpperCase(),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const what = `${c.method.toUpperCase()} ${c.route} with ${JSON.stringify(character)} in ${c.in} ${c.field}`;
  assert.equal(response.status, 400, `${what}: answered ${response.status} ${text.slice(0, 300)}`);
  const problem = JSON.parse(text) as { name?: string; issues?: { in: string; path: string; message: string }[] };
  assert.equal(problem.name, 'validation-failed', `${what}: ${text.slice(0, 300)}`);
  assert.ok(
    problem.issues?.some((i) => i.in === c.in && i.path === c.field && /control character/.test(i.message)),
    `${what}: the answer does not name the field: ${text.slice(0, 300)}`,
  );
}

/**
 * The whole probe against one running service: reads its OpenAPI document and sends NUL and ESC
 * into each text field. Returns the cases, so a test can assert the document declared some.
 */
export async function probeControlCharacters(baseUrl: string): Promise<ProbeCase[]> {
  const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as Schema;
  const cases = probeCases(doc);
  for (const c of cases) for (const character of Object.values(PROBE_CHARACTERS)) await probe(baseUrl, doc, c, character);
  return cases;
}
