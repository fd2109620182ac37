import type { Judge } from './context.js';

const key = (e: { service: string; dependency: string }) => `${e.service}→${e.dependency}`;

/** The breaker is seen open within `within` seconds of the fault's start. */
export const breakerOpens: Judge<'breaker-opens'> = (e, { obs, fault, result }) => {
  const opened = obs.breakers.find((s) => s.at >= fault.start && s.states[key(e)] === 'open');
  const measured = opened ? Math.max(0, opened.at - fault.start) : null;
  return result(measured, measured !== null && measured <= e.within, `≤ ${e.within} s`, 's', measured === null ? `${key(e)} never opened` : undefined);
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
