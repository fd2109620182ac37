import type { RequestHandler } from 'express';

/** A named readiness check: resolves when the dependency answers, rejects (or returns false) otherwise. */
export type HealthCheck = () => Promise<unknown>;

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  draining: boolean;
  checks: Record<string, 'ok' | string>;
}

/** Liveness and readiness. Ready means every check passes and the service is not draining. */
export class Health {
  private readonly checks = new Map<string, HealthCheck>();
  private draining = false;

  constructor(private readonly timeoutMs = 2000) {}

  /** Register a readiness check under a name shown in `/health/ready`. */
  addCheck(name: string, check: HealthCheck): this {
    this.checks.set(name, check);
    return this;
  }

  /** Readiness turns false for good: the service is shutting down. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
          });
          const result = await Promise.race([check(), timeout]);
          return [name, result === false ? 'failed' : 'ok'] as const;
        } catch (error) {
          return [name, `failed: ${error instanceof Error ? error.message : String(error)}`] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    if (this.draining) checks.draining = 'failed: shutting down';
    const ok = !this.draining && entries.every(([, result]) => result === 'ok');
    return { status: ok ? 'ready' : 'not-ready', draining: this.draining, checks };
  }

  /** `/health/live`: the process is up and its event loop turns. */
  readonly live: RequestHandler = (_req, res) => {
    res.json({ status: 'live' });
  };

  /** `/health/ready`: 200 when ready, 503 naming the failed checks otherwise. */
  readonly ready: RequestHandler = async (_req, res) => {
    const report = await this.report();
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  };
}
