import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';
import { fromJaeger, type Trace, type TraceSpan } from '../src/topology/trace.js';
import { waterfall } from '../src/ui/waterfall.js';

const span = (
  spanId: string,
  parentId: string | undefined,
  service: string,
  operation: string,
  start: number,
  duration: number,
  extra: Partial<TraceSpan> = {},
): TraceSpan => ({
  spanId,
  parentId,
  service,
  operation,
  start: 1_000_000 + start * 1000,
  duration: duration * 1000,
  httpStatus: undefined,
  error: undefined,
  ...extra,
});

/** A checkout: the gateway-facing order span, three repeated product queries, a failed payment call. */
const checkout: Trace = {
  traceId: 'a'.repeat(32),
  spans: [
    span('root', undefined, 'order', 'POST /v1/orders', 0, 100, { httpStatus: 201 }),
    span('q1', 'root', 'order', 'pg.query:SELECT', 2, 2),
    span('q2', 'root', 'order', 'pg.query:SELECT', 5, 2),
    span('q3', 'root', 'order', 'pg.query:SELECT', 8, 2),
    span('reserve', 'root', 'order', 'POST', 12, 30, { httpStatus: 201 }),
    span('product', 'reserve', 'product', 'POST /v1/reservations', 14, 25, { httpStatus: 201 }),
    span('charge', 'root', 'order', 'POST', 45, 50, { httpStatus: 503, error: 'circuit-open' }),
  ],
};

const plain = (text: string) => stripVTControlCharacters(text).split('\n');

describe('faultline trace: the waterfall', () => {
  it('shows services, spans indented under their parents, durations, status and errors', () => {
    const lines = plain(waterfall(checkout));
    assert.match(lines[0] ?? '', /^trace a{32} {2}7 spans, 2 services \(order, product\), 100\.0 ms, 1 failed$/);
    const row = (text: string) => lines.find((l) => l.includes(text)) ?? assert.fail(`no line with ${text}:\n${lines.join('\n')}`);
    assert.match(row('POST /v1/orders'), /^order +POST \/v1\/orders .*│ +100\.0 ms {2}201$/);
    assert.match(row('POST /v1/reservations'), /^product {2}( {2}){2}POST \/v1\/reservations/);
    assert.match(row('circuit-open'), /50\.0 ms {2}503 ✖ circuit-open$/);
  });

  it('folds repeated siblings into one ×n line unless --all, and cuts at --depth', () => {
    const folded = plain(waterfall(checkout));
    assert.equal(folded.filter((l) => l.includes('pg.query:SELECT')).length, 1);
    assert.match(folded.find((l) => l.includes('pg.query')) ?? '', /pg\.query:SELECT ×3 .* 6\.0 ms Σ/);
    assert.match(folded.at(-1) ?? '', /2 repeated spans folded/);
    assert.equal(plain(waterfall(checkout, { all: true })).filter((l) => l.includes('pg.query:SELECT')).length, 3);
    const top = plain(waterfall(checkout, { depth: 0 }));
    assert.equal(top.filter((l) => l.includes('│')).length, 1);
    assert.match(top.at(-1) ?? '', /6 deeper spans hidden by --depth/);
  });

  it('bars sit on one time axis, 40 columns for the whole trace', () => {
    const bars = plain(waterfall(checkout, { all: true }))
      .filter((l) => l.includes('│'))
      .map((l) => l.slice(l.indexOf('│') + 1, l.lastIndexOf('│')));
    assert.ok(bars.every((b) => b.length === 40));
    assert.match(bars[0] ?? '', /^█{40}$/);
    // The failed charge: from 45 ms for 50 ms of the trace's 100 ms.
    assert.match(bars.at(-1) ?? '', /^ {18}█{20} {2}$/);
  });

  it("reads Jaeger's JSON: parents, services, HTTP status and failures", () => {
    const trace = fromJaeger({
      traceID: 'b'.repeat(32),
      processes: { p1: { serviceName: 'order' }, p2: { serviceName: 'payment' } },
      spans: [
        {
          spanID: 's1',
          operationName: 'POST /v1/orders',
          startTime: 10,
          duration: 5,
          processID: 'p1',
          tags: [{ key: 'http.response.status_code', value: 202 }],
        },
        {
          spanID: 's2',
          operationName: 'POST /v1/payments',
          startTime: 11,
          duration: 3,
          processID: 'p2',
          references: [{ refType: 'CHILD_OF', spanID: 's1' }],
          tags: [
            { key: 'otel.status_code', value: 'ERROR' },
            { key: 'otel.status_description', value: 'dependency-timeout' },
          ],
        },
      ],
    });
    assert.deepEqual(
      trace.spans.map((s) => [s.service, s.parentId, s.httpStatus, s.error]),
      [
        ['order', undefined, 202, undefined],
        ['payment', 's1', undefined, 'dependency-timeout'],
      ],
    );
  });
});
