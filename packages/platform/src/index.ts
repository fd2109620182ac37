// The one door to cross-cutting concerns. Services import from here, never from winston,
// prom-client, amqplib, cockatiel, pg or the OpenTelemetry SDK directly.

export { type BaseConfig, baseConfigShape, ConfigError, loadConfig, loadConfigOrExit } from './config.js';
export { AppError, type AppErrorOptions, errors, isAppError } from './errors.js';
export { Health, type HealthCheck, type ReadinessReport } from './health.js';
export { errorHandler, notFoundHandler, PROBLEM_CONTENT_TYPE, type Problem, problemOf, toAppError } from './http-errors.js';
export { createLogger, type Logger, type LoggerOptions } from './logging.js';
export { createMetrics, LATENCY_BUCKETS, type Metrics, prom, routeTemplate, toPrometheusText, traceExemplar } from './metrics.js';
export { REDACTED, redact, redactText } from './redact.js';
export { createService, type Service, type ServiceKit, type ServiceOptions } from './service.js';
export { flushTelemetry, Shutdown } from './shutdown.js';
