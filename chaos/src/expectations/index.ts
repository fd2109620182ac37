import { promScalar } from '@faultline/lab';
import type { ExpectationResult } from '../journal.js';
import { type Expectation, verifiesOf } from '../schema.js';
import { judgeAlert, judgeQuiet } from './alerts.js';
import { breakerCloses, breakerOpens, breakerStaysClosed } from './breaker.js';
import { compare, fmt, type Judge, type JudgeContext, type Observations, promWindow, windowOf } from './context.js';
import { attemptDuration, maxInFlight, retryAmplification, retrySpacing } from './dependency.js';
import { bulkheadIsolation, errorRateJudge, fallbackServed, latency, recovers } from './gateway.js';
import { auditClean, ordersConfirmed, sagasTerminal } from './invariants.js';
import { deadLetters, eventsDelivered } from './messaging.js';

export { samplingGap } from './alerts.js';
export { type Observations, windowOf } from './context.js';

/** The mechanism each kind judges, as the reports and the gate's tolerances name it. */
const MECHANISM: Record<Expectation['kind'], string> = {
  'breaker-opens': 'circuit breaker',
  'breaker-closes': 'circuit breaker',
  'breaker-stays-closed': 'circuit breaker',
  'retry-amplification': 'retry',
  'retry-spacing': 'retry',
  'bulkhead-isolation': 'bulkhead',
  'fallback-served': 'fallback',
  'error-rate': 'errors',
  latency: 'timeout',
  'dead-letters': 'dead-letter queue',
  'events-delivered': 'outbox',
  'sagas-terminal': 'saga',
  'orders-confirmed': 'saga',
  'alert-fires': 'alerting',
  'alert-quiet': 'alerting',
  'audit-clean': 'invariants',
  promql: 'custom',
  'attempt-duration': 'timeout',
  'max-in-flight': 'bulkhead',
  recovers: 'recovery',
};

/**
 * The mechanism an expectation judges, as the reports and the gate name it: a promql's own, else the
 * mechanism it says it verifies (`audit-clean` verifying `idempotency-key payment→providers` is about
 * the key, not the invariants in general), else its kind's.
 */
const mechanismOf = (e: Expectation): string => {
  if (e.kind === 'promql') return e.mechanism;
  const verified = e.verifies?.trim().split(/\s+/)[0];
  return verified ?? MECHANISM[e.kind];
};

const promql: Judge<'promql'> = async (e, { obs, from, to, result }) => {
  const measured = await promScalar(obs.cfg, ...promWindow(e.query, from, to));
  return result(measured, measured !== null && compare(measured, e.op, e.value), `${e.op.replace('<=', '≤').replace('>=', '≥')} ${e.value}`, '');
};

/** One judge per expectation kind: adding a kind means adding a line here (the type checker insists). */
const JUDGES: { [K in Expectation['kind']]: Judge<K> } = {
  'breaker-opens': breakerOpens,
  'breaker-closes': breakerCloses,
  'breaker-stays-closed': breakerStaysClosed,
  'retry-amplification': retryAmplification,
  'retry-spacing': retrySpacing,
  'attempt-duration': attemptDuration,
  'max-in-flight': maxInFlight,
  'bulkhead-isolation': bulkheadIsolation,
  'fallback-served': fallbackServed,
  'error-rate': errorRateJudge,
  latency,
  recovers,
  'dead-letters': deadLetters,
  'events-delivered': eventsDelivered,
  'sagas-terminal': sagasTerminal,
  'orders-confirmed': ordersConfirmed,
  'audit-clean': auditClean,
  'alert-fires': (e, { obs, fault, result }) => judgeAlert(obs, e, fault.start, result),
  'alert-quiet': (e, { obs, from, result }) => judgeQuiet(obs, e, from, result),
  promql,
};

/** Judge one expectation against what the run observed. */
export async function evaluate(obs: Observations, e: Expectation): Promise<ExpectationResult> {
  const { from, to, fault } = windowOf(obs, e);
  const verifies = verifiesOf(e);
  const base = {
    id: e.id,
    kind: e.kind,
    mechanism: mechanismOf(e),
    description: e.description ?? '',
    phase: e.fault ? `${e.phase} ${e.fault}` : e.phase,
    ...(verifies ? { verifies } : {}),
  };
  const result: JudgeContext['result'] = (measured, passed, threshold, unit, detail) => ({
    ...base,
    measured: measured === null ? null : fmt(measured),
    passed,
    threshold,
    unit,
    ...(detail ? { detail } : {}),
  });
  const judge = JUDGES[e.kind] as Judge<Expectation['kind']>;
  try {
    return await judge(e as never, { obs, from, to, fault, result });
  } catch (error) {
    // A measurement that failed (an admin API timing out under the fault) fails this expectation
    // alone, saying why; the run's other expectations stand.
    return result(null, false, '-', '', `could not be judged: ${error instanceof Error ? error.message : String(error)}`);
  }
}
