import type { Judge } from './context.js';

const key = (e: { service: string; dependency: string }) => `${e.service}→${e.dependency}`;

/**
 * The breaker opens within `within` seconds of the fault's start: a sample open after one that was
 * not (closed, or half-open with its probe failing). A breaker still open from an earlier phase
 * when the fault begins has not opened on this fault; it counts once a probe fails and it opens again.
 */
export const breakerOpens: Judge<'breaker-opens'> = (e, { obs, fault, result }) => {
  const state = (i: number) => obs.breakers[i]?.states[key(e)];
  const index = obs.breakers.findIndex((s, i) => s.at >= fault.start && state(i) === 'open' && (i === 0 || state(i - 1) !== 'open'));
  const opened = obs.breakers[index];
  const measured = opened ? Math.max(0, opened.at - fault.start) : null;
  const wasOpen = obs.breakers.some((s, i) => s.at >= fault.start && state(i) === 'open');
  const why = wasOpen ? `${key(e)} was already open when the fault began and never opened anew` : `${key(e)} never opened`;
  return result(measured, measured !== null && measured <= e.within, `≤ ${e.within} s`, 's', measured === null ? why : undefined);
};

/** The breaker is seen closed within `within` seconds of the fault's end. */
export const breakerCloses: Judge<'breaker-closes'> = (e, { obs, fault, result }) => {
  const closed = obs.breakers.find((s) => s.at >= fault.end && s.states[key(e)] === 'closed');
  const measured = closed ? Math.max(0, closed.at - fault.end) : null;
  return result(measured, measured !== null && measured <= e.within, `≤ ${e.within} s`, 's', measured === null ? `${key(e)} did not close again` : undefined);
};

/** The breaker is never seen open in the window. */
export const breakerStaysClosed: Judge<'breaker-stays-closed'> = (e, { obs, from, to, result }) => {
  const open = obs.breakers.filter((s) => s.at >= from && s.at < to && s.states[key(e)] === 'open').length;
  return result(open, open === 0, '≤ 0 s open', 's');
};
