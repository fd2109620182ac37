/**
 * Telemetry preload: `node --import tsx --import @faultline/platform/telemetry main.ts`.
 * Starts the OpenTelemetry Node SDK before the app loads, configured by the standard `OTEL_*`
 * variables: `OTEL_SERVICE_NAME` (falls back to `SERVICE_NAME`), `OTEL_TRACES_EXPORTER`
 * (`jaeger` by default, `otlp`, `console`, `none`), `OTEL_EXPORTER_JAEGER_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_SAMPLER` …
 */
import { register } from 'node:module';

// ESM imports (express, pg, amqplib, node:http from our TypeScript) are only patched through this hook.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const { startTelemetry } = await import('./sdk.js');
startTelemetry();
