import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { lab } from './support.js';

/** Field types Elasticsearch 8 knows (the ones a log template could plausibly use). */
export const ES_TYPES = new Set([
  'keyword',
  'constant_keyword',
  'wildcard',
  'text',
  'match_only_text',
  'date',
  'date_nanos',
  'long',
  'integer',
  'short',
  'byte',
  'unsigned_long',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'boolean',
  'ip',
  'version',
  'flattened',
  'object',
  'nested',
]);

/** The kind of a value as it reaches Elasticsearch in a JSON document. */
export type ValueKind = 'string' | 'date-string' | 'integer' | 'number' | 'boolean' | 'unknown';

const TEXT = ['keyword', 'constant_keyword', 'wildcard', 'text', 'match_only_text'];
const FLOATS = ['double', 'float', 'half_float', 'scaled_float'];
const ACCEPTING: Record<ValueKind, readonly string[]> = {
  string: TEXT,
  'date-string': [...TEXT, 'date', 'date_nanos'],
  integer: ['long', 'integer', 'short', 'byte', 'unsigned_long', ...FLOATS],
  // A number whose integer-ness the source does not say: any numeric type indexes it.
  number: ['long', 'integer', 'short', 'byte', 'unsigned_long', ...FLOATS],
  boolean: ['boolean'],
  unknown: [...ES_TYPES],
};

/** Whether a field of `type` indexes a value of `kind` without rejecting the document. */
export const accepts = (type: string, kind: ValueKind): boolean => ACCEPTING[kind].includes(type);

export const composePath = (...parts: string[]) => path.join(lab().root, 'compose', ...parts);
export const readJson = async <T>(...parts: string[]) => JSON.parse(await readFile(composePath(...parts), 'utf8')) as T;
export const readYaml = async <T>(...parts: string[]) => parse(await readFile(composePath(...parts), 'utf8')) as T;

export interface Template {
  index_patterns: string[];
  template: { mappings: { properties: Properties; dynamic_templates: Record<string, { mapping: { type: string } }>[] } };
}
type Properties = Record<string, { type?: string; properties?: Properties; fields?: Properties }>;

/** The generated index template. */
export const readTemplate = () => readJson<Template>('elk', 'index-template.json');

/** Every mapped leaf (multi-fields as `path.sub`) → its type; objects as `object`. */
export function mappedFields(properties: Properties, prefix = '', into = new Map<string, string>()): Map<string, string> {
  for (const [name, field] of Object.entries(properties)) {
    const at = prefix ? `${prefix}.${name}` : name;
    into.set(at, field.type ?? 'object');
    if (field.properties) mappedFields(field.properties, at, into);
    if (field.fields) mappedFields(field.fields, at, into);
  }
  return into;
}

/** A glob with `*` (Filebeat paths, index patterns) as a RegExp. */
export const globRegExp = (glob: string) => new RegExp(`^${glob.split('*').map(escapeRegExp).join('[^/]*')}$`);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  entrypoint?: string[];
  depends_on?: Record<string, { condition: string }>;
}
export const readCompose = () => readYaml<{ services: Record<string, ComposeService> }>('docker-compose.yml');

/** `source:target[:ro]` of a compose volume. */
export const volumeParts = (volume: string) => {
  const [source = '', target = ''] = volume.split(':');
  return { source, target };
};
