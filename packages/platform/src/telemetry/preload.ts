/**
 * Telemetry preload: `node --import @faultline/platform/telemetry main.js`.
 * Starts tracing before the app loads, configured by the standard `OTEL_*` variables:
 * `OTEL_SDK_DISABLED`, `OTEL_SERVICE_NAME` (falls back to `SERVICE_NAME`), `OTEL_TRACES_EXPORTER`
 * (`jaeger` by default, `otlp`, `console`, `none`), `OTEL_EXPORTER_JAEGER_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*` …
 * No ESM loader hook: the instrumented packages are loaded with require (see instrumented.ts).
 * Stack traces point at the TypeScript sources (see stack-traces.ts).
 */
import { startTelemetry } from './sdk.js';
import { installStackTraces } from './stack-traces.js';

installStackTraces();
startTelemetry();
