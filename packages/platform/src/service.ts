import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import type { Express, RequestHandler } from 'express';
import type { BaseConfig } from './config.js';
import { errors } from './errors.js';
import { Health } from './health.js';
import { errorHandler, notFoundHandler } from './http-errors.js';
import { express } from './instrumented.js';
import { createLogger, type Logger } from './logging.js';
import { createMetrics, type Metrics } from './metrics.js';
import { Shutdown } from './shutdown.js';

/** Everything cross-cutting a service gets from one call. */
export interface ServiceKit {
  readonly config: BaseConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: Health;
  readonly shutdown: Shutdown;
}

export type Service<K extends ServiceKit = ServiceKit> = K & {
  /** The Express app: health, metrics and JSON parsing in front, routes from `routes`, errors behind. Never listens. */
  readonly app: Express;
  /** Listen on HOST:PORT (PORT 0 → ephemeral). Resolves with the bound port. */
  listen(): Promise<{ port: number; server: Server }>;
};

export interface ServiceOptions<K extends ServiceKit = ServiceKit> {
  config: BaseConfig;
  /** Mount the service's own routes (thin: validate, call one use case, map the result). */
  routes: (app: Express, kit: K) => void;
  /** Override the logger (tests capture lines). */
  logger?: Logger;
  /** Grow the kit before any route is mounted (the runtime opens its database and broker here). */
  extend?: (kit: ServiceKit) => K;
}

/**
 * W3C Trace Context Level 2 `traceresponse` on every traced answer, success included, so any
 * response can be followed to its trace (`faultline trace <traceresponse>`). Health and metrics
 * are not traced and get none.
 */
export const traceResponse: RequestHandler = (_req, res, next) => {
  const context = trace.getActiveSpan()?.spanContext();
  if (context && !/^0+$/.test(context.traceId))
    res.setHeader('traceresponse', `00-${context.traceId}-${context.spanId}-${context.traceFlags.toString(16).padStart(2, '0')}`);
  next();
};

/**
 * Build a service's HTTP app with telemetry-aware logging, RED metrics, health, problem+json
 * errors and graceful shutdown. Use `listen()` in `main.ts`; tests use `app` on port 0.
 */
export function createService(options: ServiceOptions): Service;
export function createService<K extends ServiceKit>(options: ServiceOptions<K> & { extend: (kit: ServiceKit) => K }): Service<K>;
export function createService(options: ServiceOptions): Service {
  const { config } = options;
  const logger =
    options.logger ??
    createLogger({
      service: config.SERVICE_NAME,
      version: config.SERVICE_VERSION,
      level: config.LOG_LEVEL,
      console: config.LOG_CONSOLE,
      ...(config.LOG_FILE ? { file: config.LOG_FILE } : {}),
    });
  const metrics = createMetrics(config.SERVICE_NAME);
  const health = new Health();
  const shutdown = new Shutdown(health, logger, config.SHUTDOWN_TIMEOUT_MS);
  const base: ServiceKit = { config, logger, metrics, health, shutdown };
  const kit = options.extend?.(base) ?? base;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/health/live', health.live);
  app.get('/health/ready', health.ready);
  app.get('/metrics', metrics.handler);
  app.use(traceResponse, shutdown.middleware, metrics.middleware);
  app.use(express.json({ limit: config.BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  app.use((req, _res, next) => {
    // A body sent as anything but JSON is refused rather than silently ignored.
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    next(
      hasBody && ['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is(['application/json', 'application/*+json'])
        ? errors.unsupportedMediaType()
        : undefined,
    );
  });
  options.routes(app, kit);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  const listen = () =>
    new Promise<{ port: number; server: Server }>((resolve, reject) => {
      const server = app.listen(config.PORT, config.HOST);
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'EADDRINUSE' ? new Error(`${config.HOST}:${config.PORT} is already in use: stop what holds it or set PORT`) : error);
      });
      server.once('listening', () => {
        shutdown.trackServer(server);
        const { port } = server.address() as AddressInfo;
        // ECS server.* (not `host`, which ECS reserves for the machine).
        logger.info('service listening', { server: { address: config.HOST, port } });
        resolve({ port, server });
      });
    });

  // The kit the routes got, grown by the app: one object, so what is built per kit stays shared.
  return Object.assign(kit, { app, listen });
}
