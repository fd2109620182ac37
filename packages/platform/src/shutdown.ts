import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import type { Health } from './health.js';
import type { Logger } from './logging.js';

type Hook = { name: string; run: () => Promise<unknown> | unknown };

const TELEMETRY = Symbol.for('faultline.telemetry');

/** Flush and stop the telemetry SDK installed by the preload, if any. */
export async function flushTelemetry(): Promise<void> {
  const sdk = (globalThis as Record<symbol, { shutdown(): Promise<void> } | undefined>)[TELEMETRY];
  await sdk?.shutdown();
}

/**
 * Graceful shutdown: not ready → stop accepting → drain in-flight requests → run the hooks in
 * registration order (consumers, broker, database …) → flush telemetry → exit, within a hard deadline.
 */
export class Shutdown {
  private readonly hooks: Hook[] = [];
  private readonly servers: Server[] = [];
  private inFlight = 0;
  private idle: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly health: Health,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Counts in-flight requests; while draining, answers ask clients to close the connection. */
  readonly middleware: RequestHandler = (_req, res, next) => {
    this.inFlight += 1;
    if (this.health.isDraining) res.set('connection', 'close');
    res.once('close', () => {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.idle?.();
    });
    next();
  };

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Stop accepting on this server when shutting down. */
  trackServer(server: Server): void {
    this.servers.push(server);
  }

  /** Run `run` during shutdown, after requests drained, in registration order. */
  onShutdown(name: string, run: Hook['run']): void {
    this.hooks.push({ name, run });
  }

  /** Exit on SIGTERM and SIGINT after a graceful shutdown. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        this.logger.info('shutdown requested', { signal });
        void this.run().then(
          () => exit(0),
          () => exit(1),
        );
      });
    }
  }

  /** The shutdown sequence; idempotent. Rejects when the deadline passes first. */
  run(): Promise<void> {
    this.running ??= this.sequence();
    return this.running;
  }

  private async sequence(): Promise<void> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`shutdown deadline of ${this.timeoutMs} ms passed`)), this.timeoutMs);
      timer.unref();
    });
    const steps = async () => {
      this.health.startDraining();
      const closed = this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      for (const server of this.servers) server.closeIdleConnections();
      if (this.inFlight > 0) {
        this.logger.info('draining in-flight requests', { inFlight: this.inFlight });
        await new Promise<void>((resolve) => {
          this.idle = resolve;
        });
      }
      for (const server of this.servers) server.closeIdleConnections();
      await Promise.all(closed);
      for (const hook of this.hooks) {
        try {
          await hook.run();
        } catch (error) {
          this.logger.warn('shutdown step failed', { step: hook.name, error: error instanceof Error ? error : undefined });
        }
      }
      this.logger.info('shutdown complete', { ms: Date.now() - started });
      await flushTelemetry();
    };
    try {
      await Promise.race([steps(), deadline]);
    } catch (error) {
      this.logger.error('shutdown did not finish in time', { ms: Date.now() - started, error: error instanceof Error ? error : undefined });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
