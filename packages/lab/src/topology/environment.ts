import path from 'node:path';
import type { LabConfig } from '../config.js';
import { jaegerOtlpUrl } from '../infra/components/jaeger.js';
import { edge, SERVICES, type ServiceName } from './topology.js';

export interface EnvironmentOptions {
  /** `off` switches every resilience policy off (RESILIENCE_MODE). */
  resilience?: 'on' | 'off';
  /** `off` starts the service without tracing (OTEL_SDK_DISABLED), to measure what tracing costs. */
  telemetry?: 'on' | 'off';
  /** Role passwords from {@link servicePasswords}. */
  passwords: Record<ServiceName, string>;
  /** Client credentials from {@link serviceCredentials}: the user service gets all, a client its own. */
  clients?: Record<string, string>;
}

/**
 * Logins and registrations per address per minute in the lab: all its load (k6, the ambient
 * traffic, the tests) comes from 127.0.0.1, so the per-address limit is raised there
 * (`FAULTLINE_AUTH_LIMIT_PER_ADDRESS` overrides); the per-account limits stay as they are.
 */
export const LAB_AUTH_LIMIT_PER_ADDRESS = '1000000';

/** The JWT issuer and audience every service agrees on. */
export const JWT_ISSUER = 'faultline-user';
export const JWT_AUDIENCE = 'faultline';

const upper = (name: string) => name.toUpperCase();

/**
 * The environment of one service in the native lab: it reaches its database, RabbitMQ and every
 * service it calls *through* its own Toxiproxy edge, so any of them can be broken on purpose.
 */
export function serviceEnvironment(cfg: LabConfig, name: ServiceName, options: EnvironmentOptions): Record<string, string> {
  const spec = SERVICES[name];
  const base = cfg.ports['proxy-base'];
  const via = (to: Parameters<typeof edge>[2]) => {
    const found = edge(base, name, to);
    if (!found) throw new Error(`the topology has no edge ${name}__${to}`);
    return found.listenPort;
  };
  const env: Record<string, string> = {
    SERVICE_NAME: name,
    HOST: '127.0.0.1',
    PORT: String(cfg.ports[name]),
    LOG_FILE: path.join(cfg.stateDir, 'logs', `${name}.log`),
    RESILIENCE_MODE: options.resilience ?? 'on',
    OTEL_SERVICE_NAME: name,
    OTEL_SDK_DISABLED: options.telemetry === 'off' ? 'true' : 'false',
    // OTLP/HTTP protobuf: the exporter Jaeger v2 and the OpenTelemetry SDK both maintain.
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: jaegerOtlpUrl(cfg),
    JWT_ISSUER,
    JWT_AUDIENCE,
  };
  if (spec.database) env.DATABASE_URL = `postgres://${name}:${encodeURIComponent(options.passwords[name])}@127.0.0.1:${via('postgres')}/${name}`;
  if (spec.broker) env.AMQP_URL = `amqp://guest:guest@127.0.0.1:${via('rabbitmq')}`;
  for (const dependency of spec.calls) env[`${upper(dependency)}_URL`] = `http://127.0.0.1:${via(dependency)}`;
  if (spec.calls.includes('user')) {
    env.JWKS_URL = `http://127.0.0.1:${via('user')}/.well-known/jwks.json`;
    // Keys are revalidated after 30 s (300 s by default), so an outage of the user service longer
    // than that is one a chaos experiment can run (user-outage-auth): stale keys must keep working.
    env.JWKS_MAX_AGE_SEC = '30';
  }
  const clients = options.clients ?? {};
  if (name === 'user') {
    env.SERVICE_CLIENTS = JSON.stringify(clients);
    env.AUTH_LIMIT_PER_ADDRESS = process.env.FAULTLINE_AUTH_LIMIT_PER_ADDRESS ?? LAB_AUTH_LIMIT_PER_ADDRESS;
  }
  if (clients[name] && spec.calls.includes('user')) {
    env.SERVICE_TOKEN_URL = `http://127.0.0.1:${via('user')}/v1/oauth/token`;
    env.SERVICE_CLIENT_SECRET = clients[name];
  }
  return env;
}
