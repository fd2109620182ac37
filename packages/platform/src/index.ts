// The one door to cross-cutting concerns. Services import from here, never from winston,
// prom-client, amqplib, cockatiel, pg or the OpenTelemetry SDK directly.

export { Api, type Reply, type RouteInput, type RouteSpec } from './api.js';
export {
  type AuthOptions,
  authConfigShape,
  authFromConfig,
  createAuth,
  guardRoute,
  type Principal,
  principalOf,
  type RouteAuth,
  type TokenVerifier,
  tokenFailure,
} from './auth.js';
export { type BaseConfig, baseConfigShape, ConfigError, loadConfig, loadConfigOrExit } from './config.js';
export { loadMigrations, type MigrateOptions, type Migration, platformMigrations, runMigrations } from './data/migrations.js';
export { enqueueEvent, OUTBOX_CHANNEL, outboxMigration } from './data/outbox.js';
export { outboxAdminRoutes } from './data/outbox-admin.js';
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './data/outbox-relay.js';
export { createPool, type DbClient, type DbPool, type PoolOptions } from './data/pool.js';
export { claimMessage, processedMessagesMigration } from './data/processed-messages.js';
export { withTransaction } from './data/transaction.js';
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
export { createJwksCache, type JwksCache, type JwksCacheOptions, signingKeysUnavailable } from './jwks-cache.js';
export {
  announceKnockout,
  KNOCKOUT_MECHANISM_NAMES,
  KNOCKOUT_MECHANISMS,
  Knockout,
  type KnockoutMechanism,
  knockedOut,
  knockoutSchema,
} from './knockout.js';
export { createLogger, type Logger, type LoggerOptions } from './logging.js';
export { type Broker, type BrokerOptions, connectBroker, type ManagedChannel, type ManagedChannelOptions } from './messaging/connection.js';
export { type Consumer, type ConsumerOptions, createConsumer } from './messaging/consumer.js';
export { createEnvelope, type Envelope, envelopeSchema, ROUTING_KEY } from './messaging/envelope.js';
export { type DeadLetterReason, defineHandler, definePreparedHandler, type MessageHandler } from './messaging/handlers.js';
export { type MessagingMetrics, messagingMetrics } from './messaging/metrics.js';
export { createPublisher, type OutgoingMessage, type Publisher, type PublisherOptions, type PublishOutcome } from './messaging/publisher.js';
export {
  type ConsumerTopology,
  DEFAULT_EXCHANGE,
  DEFAULT_RETRY_DELAYS_MS,
  deadLetterQueueName,
  declareConsumerTopology,
  declareExchange,
  queueName,
  retryQueueName,
} from './messaging/topology.js';
export { extractTraceContext, injectTraceHeaders, type MessageHeaders } from './messaging/trace-headers.js';
export { createMetrics, LATENCY_BUCKETS, type Metrics, perRegistry, prom, routeTemplate, toPrometheusText, traceExemplar } from './metrics.js';
export { packageFolder } from './package-path.js';
export { createPoller, type Poller, type PollerOptions } from './poller.js';
export { REDACTED, redact, redactText } from './redact.js';
export { callerOf, IDEMPOTENCY_KEY_MAX_LENGTH, idempotencyKeyOf } from './request.js';
export {
  buildDependencies,
  DEFAULT_DEADLINE_MS,
  type Dependency,
  type DependencyConfig,
  type DependencyConfigShape,
  type DependencyDeclaration,
  type DependencyDeclarations,
  dependencyConfigShape,
  dependencyPrefix,
  dependencyTable,
  mergeSettings,
} from './resilience/dependencies.js';
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
export {
  perKit,
  type RunningService,
  type RuntimeConfig,
  type RuntimeKit,
  type RuntimeOptions,
  runMain,
  runtimeConfigShape,
  type ServiceDefinition,
  startRuntime,
} from './runtime.js';
export { createService, type Service, type ServiceKit, type ServiceOptions } from './service.js';
export { createServiceTokens, type ServiceTokenSource, type ServiceTokens, type ServiceTokensOptions } from './service-tokens.js';
export { flushTelemetry, Shutdown } from './shutdown.js';
