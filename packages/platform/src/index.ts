// The one door to cross-cutting concerns. Services import from here, never from winston,
// prom-client, amqplib, cockatiel, pg or the OpenTelemetry SDK directly.

export { Api, type Reply, type RouteInput, type RouteSpec } from './api.js';
export { type AuthOptions, createAuth, type Principal } from './auth.js';
export { type BaseConfig, baseConfigShape, ConfigError, loadConfig, loadConfigOrExit } from './config.js';
export { AppError, type AppErrorOptions, errors, isAppError } from './errors.js';
export { Health, type HealthCheck, type ReadinessReport } from './health.js';
export {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  type HttpResponse,
  parseRetryAfter,
  type RequestOptions,
} from './http-client.js';
export { errorHandler, notFoundHandler, PROBLEM_CONTENT_TYPE, type Problem, problemOf, toAppError } from './http-errors.js';
export { createLogger, type Logger, type LoggerOptions } from './logging.js';
export { createMetrics, LATENCY_BUCKETS, type Metrics, prom, routeTemplate, toPrometheusText, traceExemplar } from './metrics.js';
export { REDACTED, redact, redactText } from './redact.js';
export {
  type CallOptions,
  createDependencyPolicy,
  type DependencyPolicy,
  type DependencyPolicyOptions,
  isIgnoredFailure,
  isTransientFailure,
} from './resilience/policy.js';
export {
  DEFAULT_POLICY_SETTINGS,
  type PolicySettings,
  type PolicySettingsInput,
  policySettingsSchema,
  type ResilienceMode,
  resilienceModeSchema,
} from './resilience/settings.js';
export { createService, type Service, type ServiceKit, type ServiceOptions } from './service.js';
export { flushTelemetry, Shutdown } from './shutdown.js';
