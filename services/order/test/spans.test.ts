import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Attributes, type Span, type SpanOptions, type SpanStatus, type Tracer, trace } from '@opentelemetry/api';
import { type OrderLab, startOrderLab } from './support.js';

interface Recorded {
  name: string;
  attributes: Attributes;
  status?: SpanStatus;
}

/** Just enough of a tracer provider (through the API only) to see the spans the saga starts. */
function recordingProvider(recorded: Recorded[]) {
  const startSpan = (name: string, options: SpanOptions = {}): Span => {
    const entry: Recorded = { name, attributes: { ...options.attributes } };
    const span: Span = {
      spanContext: () => ({ traceId: '0'.repeat(31) + 1, spanId: '0'.repeat(15) + 1, traceFlags: 1 }),
      setAttribute: (key, value) => {
        if (value !== undefined) entry.attributes[key] = value;
        return span;
      },
      setAttributes: (attributes) => {
        Object.assign(entry.attributes, attributes);
        return span;
      },
      addEvent: () => span,
      addLink: () => span,
      addLinks: () => span,
      setStatus: (status) => {
        entry.status = status;
        return span;
      },
      updateName: () => span,
      end: () => recorded.push(entry),
      isRecording: () => true,
      recordException: () => undefined,
    };
    return span;
  };
  const tracer = {
    startSpan,
    startActiveSpan: (name: string, options: SpanOptions, fn: (span: Span) => unknown) => fn(startSpan(name, options)),
  } as unknown as Tracer;
  return { getTracer: () => tracer };
}

describe('saga steps as spans', () => {
  let lab: OrderLab;
  const recorded: Recorded[] = [];
  const widget = randomUUID();

  before(async () => {
    trace.setGlobalTracerProvider(recordingProvider(recorded));
    lab = await startOrderLab({ [widget]: { stock: 5, price: 100 } });
  });
  after(async () => {
    await lab?.close();
    trace.disable();
  });

  it('records each step as saga.<step> with the order id and the step', async () => {
    const token = await lab.tokens.sign(randomUUID());
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_visa' });
    assert.equal(answer.status, 201);
    const mine = recorded.filter((s) => s.attributes['app.order.id'] === answer.body.orderId);
    assert.deepEqual(
      mine.map((s) => s.name),
      ['saga.reserve-stock', 'saga.charge-payment', 'saga.commit-stock'],
    );
    assert.deepEqual(
      mine.map((s) => s.attributes['app.saga.step']),
      ['reserve-stock', 'charge-payment', 'commit-stock'],
    );
    assert.equal(mine[1]?.attributes['app.saga.outcome'], 'captured');
  });
});
