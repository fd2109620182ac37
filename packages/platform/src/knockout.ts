import { z } from 'zod';
import type { Logger } from './logging.js';
import { type Metrics, perRegistry, prom } from './metrics.js';

/**
 * Knock-outs: remove exactly one resilience mechanism of one dependency or consumer, every other
 * one staying on, so that an experiment can prove its verdict fails without it (`chaos prove`).
 * Set with one variable, `FAULTLINE_KNOCKOUT=<mechanism>:<target>`; never set in normal runs.
 */
export const KNOCKOUT_MECHANISMS = {
  /** The breaker never opens. Target: a dependency. */
  breaker: 'dependency',
  /** One attempt per call. Target: a dependency. */
  retry: 'dependency',
  /** The per-attempt limit becomes the whole call's deadline. Target: a dependency. */
  timeout: 'dependency',
  /** Unbounded concurrency, no queue. Target: a dependency. */
  bulkhead: 'dependency',
  /**
   * Each retry of a keyed call (POST with an Idempotency-Key) carries a new key, so the dependency
   * cannot tell it from a new request: a charge whose answer was lost is made again. Target: a dependency.
   */
  'idempotency-key': 'dependency',
  /** The domain's fallback is not served: the failure reaches the caller. Target: a dependency. */
  fallback: 'dependency',
  /** A failing or poison message is acked and dropped (the classic bug). Target: a consumer's purpose. */
  'dead-letter': 'consumer',
  /** Redeliveries are handled again (no dedupe by message id). Target: a consumer's purpose. */
  idempotency: 'consumer',
  /** Events are sent at most once: an unconfirmed publish is dropped instead of kept in the table. Target: `relay`. */
  outbox: 'relay',
  /** A saga that must compensate skips its compensating steps (stock kept, nothing refunded). Target: `saga`. */
  compensation: 'saga',
} as const;

export type KnockoutMechanism = keyof typeof KNOCKOUT_MECHANISMS;
export type KnockoutTargetKind = (typeof KNOCKOUT_MECHANISMS)[KnockoutMechanism];
export const KNOCKOUT_MECHANISM_NAMES = Object.keys(KNOCKOUT_MECHANISMS) as KnockoutMechanism[];

/** The knock-out a service runs with, and which part of the service took it (for the boot check). */
export class Knockout {
  private claimed = false;
  private readonly seen = new Set<string>();

  constructor(
    readonly mechanism: KnockoutMechanism,
    readonly target: string,
  ) {}

  get label(): string {
    return `${this.mechanism}:${this.target}`;
  }

  /** Is `mechanism` of `target` knocked out? Every place that owns a mechanism asks, so the boot check knows the target exists. */
  applies(mechanism: KnockoutMechanism, target: string): boolean {
    this.seen.add(`${KNOCKOUT_MECHANISMS[mechanism]} ${target}`);
    const hit = mechanism === this.mechanism && target === this.target;
    if (hit) this.claimed = true;
    return hit;
  }

  /** Throws when no part of the service owns the knocked-out mechanism: a typo must not pass for a proof. */
  assertClaimed(): void {
    if (this.claimed) return;
    const kind = KNOCKOUT_MECHANISMS[this.mechanism];
    const known = [...this.seen].filter((s) => s.startsWith(`${kind} `)).map((s) => s.slice(kind.length + 1));
    throw new Error(
      `FAULTLINE_KNOCKOUT=${this.label} names no ${kind} of this service${known.length ? ` (it has: ${[...new Set(known)].join(', ')})` : ` (it has no ${kind})`}`,
    );
  }
}

/** Does `knockout` (possibly unset) remove `mechanism` of `target`? */
export const knockedOut = (knockout: Knockout | undefined, mechanism: KnockoutMechanism, target: string): boolean =>
  knockout?.applies(mechanism, target) ?? false;

/** `FAULTLINE_KNOCKOUT`: `<mechanism>:<target>`, e.g. `breaker:providers`, `dead-letter:events`, `outbox:relay`. */
export const knockoutSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const [mechanism, target, ...rest] = text.split(':');
    if (!mechanism || !(mechanism in KNOCKOUT_MECHANISMS) || rest.length > 0) {
      ctx.addIssue({ code: 'custom', message: `use <mechanism>:<target> with a mechanism of ${KNOCKOUT_MECHANISM_NAMES.join(', ')}` });
      return z.NEVER;
    }
    const kind = KNOCKOUT_MECHANISMS[mechanism as KnockoutMechanism];
    const named = target || (kind === 'relay' || kind === 'saga' ? kind : '');
    if (!/^[a-z][a-z0-9-]*$/.test(named)) {
      ctx.addIssue({
        code: 'custom',
        message: `${mechanism} needs a ${kind} name after the colon, e.g. ${mechanism}:${kind === 'dependency' ? 'providers' : 'events'}`,
      });
      return z.NEVER;
    }
    return new Knockout(mechanism as KnockoutMechanism, named);
  });

const knockoutGauge = perRegistry(
  (registry: Metrics['registry']) =>
    new prom.Gauge({
      name: 'faultline_knockout_active',
      help: 'A resilience mechanism removed on purpose (FAULTLINE_KNOCKOUT): 1 while it is',
      labelNames: ['mechanism', 'target'] as const,
      registers: [registry],
    }),
);

/** Say it loudly: a warning log line at start and a metric that `faultline status` and the dashboards show. */
export function announceKnockout(knockout: Knockout | undefined, kit: { logger: Logger; metrics: Metrics }): void {
  if (!knockout) return;
  knockoutGauge(kit.metrics.registry).set({ mechanism: knockout.mechanism, target: knockout.target }, 1);
  kit.logger.warn('RESILIENCE MECHANISM KNOCKED OUT: this service runs without it on purpose', {
    knockout: { mechanism: knockout.mechanism, target: knockout.target },
  });
}
