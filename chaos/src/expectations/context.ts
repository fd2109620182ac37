import { setTimeout as sleep } from 'node:timers/promises';
import { type ActiveAlert, type LabConfig, withRange } from '@faultline/lab';
import type { GatewayHit } from '../gateway-log.js';
import type { ExpectationResult } from '../journal.js';
import type { Expectation, Experiment } from '../schema.js';

/** What a run observed, in epoch seconds. */
export interface Observations {
  cfg: LabConfig;
  experiment: Experiment;
  loadStart: number;
  loadEnd: number;
  faults: { id: string; start: number; end: number }[];
  hits: GatewayHit[];
  /** One sample a second of every breaker's state (`service→dependency`). */
  breakers: { at: number; states: Record<string, string> }[];
  /** One sample a second of the attempts in flight per dependency (`service→dependency`). */
  inFlight: { at: number; values: Record<string, number> }[];
  /** One sample a second of Prometheus's pending and firing alerts; sampling goes on while expectations are judged. */
  alerts: { at: number; alerts: ActiveAlert[] }[];
  /** Messages in each dead-letter queue when the load started (dead letters are judged as growth from here). */
  deadLettersAtStart: Record<string, number>;
}

/** Build the result of one expectation: measured value, verdict, threshold, unit, optional detail. */
export type Judged = (measured: number | null, passed: boolean, threshold: string, unit: string, detail?: string) => ExpectationResult;

/** What every judge gets besides the expectation: the phase window it judges and how to word its result. */
export interface JudgeContext {
  obs: Observations;
  from: number;
  to: number;
  fault: { id: string; start: number; end: number };
  result: Judged;
}

/** One expectation kind's judge. */
export type Judge<K extends Expectation['kind']> = (e: Extract<Expectation, { kind: K }>, ctx: JudgeContext) => Promise<ExpectationResult> | ExpectationResult;

/** The phase window an expectation judges, in epoch seconds. */
export function windowOf(obs: Observations, e: Expectation): { from: number; to: number; fault: { id: string; start: number; end: number } } {
  const fault = obs.faults.find((f) => f.id === (e.fault ?? obs.faults[0]?.id)) ?? { id: '-', start: obs.loadStart, end: obs.loadEnd };
  const firstStart = Math.min(...obs.faults.map((f) => f.start));
  if (e.phase === 'before') return { from: obs.loadStart, to: firstStart, fault };
  if (e.phase === 'during') return { from: fault.start, to: fault.end, fault };
  return { from: fault.end, to: obs.loadEnd, fault };
}

/**
 * Prometheus scrapes every 5 s. A query about [from, to] is asked at `to + PROM_LAG_SEC`, so the
 * last samples are in, over a range that also reaches one scrape back before `from`: `increase()`
 * needs a sample from before a change to see it, and a counter that moved in the window's first
 * seconds would otherwise look flat.
 */
export const PROM_LAG_SEC = 5;

/** `query` (with `$range`) about [from, to]: the arguments of `promScalar` after the config. */
export const promWindow = (query: string, from: number, to: number): [string, number] => [withRange(query, to - from + 2 * PROM_LAG_SEC), to + PROM_LAG_SEC];

export const fmt = (v: number, digits = 2) => Number(v.toFixed(digits));
export const compare = (value: number, op: string, limit: number) =>
  op === '<' ? value < limit : op === '<=' ? value <= limit : op === '>' ? value > limit : op === '>=' ? value >= limit : value === limit;

/** Poll `check` once a second until it returns a number or `seconds` pass; the number or null. */
export async function waitFor(seconds: number, check: () => Promise<number | null>): Promise<number | null> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value !== null || Date.now() >= deadline) return value;
    await sleep(1000);
  }
}
