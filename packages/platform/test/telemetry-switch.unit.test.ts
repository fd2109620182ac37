import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { startTelemetry, tracesExporter } from '../src/telemetry/sdk.js';

describe('the telemetry switch', () => {
  it('starts nothing when OTEL_SDK_DISABLED=true: no provider registered, spans are no-ops', () => {
    assert.equal(startTelemetry({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'none' }), undefined);
    const span = trace.getTracer('test').startSpan('nothing');
    assert.equal(span.isRecording(), false);
    span.end();
  });

  it('refuses an exporter it does not know, naming the variable', () => {
    assert.throws(() => tracesExporter({ OTEL_TRACES_EXPORTER: 'zipkin' }), /OTEL_TRACES_EXPORTER=zipkin is not supported/);
  });
});
