import { createDependencyPolicy, createLogger, createMetrics } from '../src/index.js';

export interface PolicyCost {
  bareNsPerCall: number;
  offNsPerCall: number;
  onNsPerCall: number;
}

async function nsPerCall(calls: number, fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) await fn();
  return Number(process.hrtime.bigint() - started) / calls;
}

/**
 * Added cost per call of the full policy stack (bulkhead, retry, breaker, timeout, metrics) on a
 * call that succeeds at once, against the bare call and against RESILIENCE_MODE=off (metrics only).
 * Measured in rounds that alternate the three, so drift hits each alike.
 */
export async function policyCost(options: { calls: number; rounds: number; onProgress: (line: string) => void }): Promise<PolicyCost> {
  const logger = createLogger({ service: 'bench', silent: true });
  const registry = createMetrics('bench').registry;
  const on = createDependencyPolicy({ name: 'bench-on', mode: 'on', logger, registry });
  const off = createDependencyPolicy({ name: 'bench-off', mode: 'off', logger, registry });
  const work = () => Promise.resolve(42);
  const totals = { bare: 0, off: 0, on: 0 };
  for (let round = 1; round <= options.rounds; round += 1) {
    options.onProgress(`round ${round}/${options.rounds}: ${options.calls} calls each, bare / mode off / mode on`);
    totals.bare += await nsPerCall(options.calls, work);
    totals.off += await nsPerCall(options.calls, () => off.execute(work, { retryable: true }));
    totals.on += await nsPerCall(options.calls, () => on.execute(work, { retryable: true }));
  }
  return { bareNsPerCall: totals.bare / options.rounds, offNsPerCall: totals.off / options.rounds, onNsPerCall: totals.on / options.rounds };
}
