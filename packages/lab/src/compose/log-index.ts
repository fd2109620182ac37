/**
 * The Elasticsearch side of the compose log pipeline: the indices Filebeat writes, and the
 * composable index template that gives every field the services log an explicit ECS type.
 */

/** Name of the composable index template (`PUT _index_template/<name>`). */
export const LOG_TEMPLATE_NAME = 'faultline-logs';
/** The indices the template applies to, and Kibana's data view title. */
export const LOG_INDEX_PATTERN = 'faultline-logs-*';
/** The index Filebeat writes, one per day (Filebeat's format string). */
export const LOG_INDEX = 'faultline-logs-%{+yyyy.MM.dd}';

export type LogFieldType = 'date' | 'keyword' | 'match_only_text' | 'wildcard' | 'long' | 'boolean';

export interface LogField {
  readonly type: LogFieldType;
  readonly ignore_above?: number;
  /** Multi-fields, as in ECS (`error.stack_trace.text`). */
  readonly fields?: Record<string, { readonly type: LogFieldType }>;
}

const keyword: LogField = { type: 'keyword', ignore_above: 1024 };
const text: LogField = { type: 'match_only_text' };
const long: LogField = { type: 'long' };
const boolean: LogField = { type: 'boolean' };

/** What the platform's ECS format (packages/platform/src/logging.ts) writes itself. */
const ECS_LINE: Record<string, LogField> = {
  '@timestamp': { type: 'date' },
  'log.level': keyword,
  message: text,
  'ecs.version': keyword,
  'service.name': keyword,
  'service.version': keyword,
  'event.dataset': keyword,
  // Only inside an active span.
  'trace.id': keyword,
  'span.id': keyword,
  // Only with `{ error }` (or `err`): an Error, redacted.
  'error.type': keyword,
  'error.message': text,
  'error.stack_trace': { type: 'wildcard', fields: { text } },
  // ECS fields the platform and services pass: where a service listens, and its own address.
  'server.address': keyword,
  'server.port': long,
  'url.full': { type: 'wildcard' },
};

/**
 * ECS fields no service writes today, mapped so the first writer gets the ECS type: APM
 * correlation and an HTTP access line.
 */
const ECS_RESERVED: Record<string, LogField> = {
  'transaction.id': keyword,
  'http.request.method': keyword,
  'http.response.status_code': long,
  'event.duration': long,
};

/** Added by Filebeat to every event it ships (with `error.*` when a line is not JSON). */
const SHIPPER: Record<string, LogField> = {
  'log.file.path': keyword,
  'log.offset': long,
  'input.type': keyword,
  'agent.name': keyword,
  'agent.type': keyword,
  'agent.version': keyword,
  'agent.id': keyword,
  'agent.ephemeral_id': keyword,
};

/**
 * The structured fields services and the platform pass to the logger
 * (`logger.info('payment captured', { paymentId, orderId, amount })`). They are not ECS: they
 * stay top-level, as logged. A test finds every one in the source and in real lines.
 */
const APP_FIELDS: Record<string, LogField> = {
  // HTTP error middleware and client
  errorName: keyword,
  status: long,
  method: keyword,
  path: keyword,
  // resilience policies
  dependency: keyword,
  // service tokens: the client asking for one
  client: keyword,
  cause: keyword,
  attempt: long,
  delayMs: long,
  timeoutMs: long,
  halfOpenAfterMs: long,
  maxConcurrent: long,
  maxQueue: long,
  // a mechanism knocked out on purpose (FAULTLINE_KNOCKOUT)
  'knockout.mechanism': keyword,
  'knockout.target': keyword,
  // messaging and the outbox
  endpoint: keyword,
  channel: keyword,
  queue: keyword,
  messageId: keyword,
  exchange: keyword,
  routingKey: keyword,
  bindings: keyword,
  reason: keyword,
  detail: keyword,
  attempts: long,
  count: long,
  // lifecycle: start, migrations, workers, shutdown
  instance: keyword,
  pollMs: long,
  migration: keyword,
  signal: keyword,
  inFlight: long,
  ms: long,
  step: keyword,
  // the domain
  userId: keyword,
  roles: keyword,
  by: keyword,
  productId: keyword,
  fields: keyword,
  stock: long,
  reservationId: keyword,
  items: long,
  products: keyword,
  units: long,
  expired: long,
  ttlSec: long,
  orderId: keyword,
  from: keyword,
  paymentId: keyword,
  chargeId: keyword,
  charges: long,
  reference: keyword,
  amount: long,
  replayed: boolean,
  eventId: keyword,
  template: keyword,
  duplicate: boolean,
};

/** Every mapped field path → its mapping. */
export const LOG_FIELDS: Readonly<Record<string, LogField>> = { ...ECS_LINE, ...ECS_RESERVED, ...SHIPPER, ...APP_FIELDS };

type Properties = Record<string, LogField | { properties: Properties }>;

/** Dotted paths → nested `properties`, as Elasticsearch returns mappings. */
function nest(fields: Readonly<Record<string, LogField>>): Properties {
  const root: Properties = {};
  for (const [dotted, field] of Object.entries(fields)) {
    const parts = dotted.split('.');
    let level = root;
    for (const part of parts.slice(0, -1)) {
      const existing = level[part];
      if (existing && !('properties' in existing)) throw new Error(`${dotted}: ${part} is mapped as a field and as an object`);
      const object = existing ?? { properties: {} };
      level[part] = object;
      level = object.properties;
    }
    const leaf = parts[parts.length - 1] as string;
    if (level[leaf]) throw new Error(`${dotted} is mapped twice, or as a field and as an object`);
    level[leaf] = field;
  }
  return root;
}

/** The body of `PUT _index_template/faultline-logs`. */
export function logIndexTemplate(): Record<string, unknown> {
  return {
    index_patterns: [LOG_INDEX_PATTERN],
    // Above the built-in logs-*-* template's 100, should a pattern ever overlap.
    priority: 200,
    version: 1,
    _meta: { description: 'ECS logs of the Faultline services, shipped by Filebeat', managed_by: 'faultline compose generate' },
    template: {
      // One node: a replica could never be assigned and the indices would stay yellow.
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        date_detection: false,
        // A field nobody mapped yet (a new logger call) is still searchable, and a long value cannot fail the document.
        dynamic_templates: [{ strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } }],
        properties: nest(LOG_FIELDS),
      },
    },
  };
}
