import { queueStates } from '@faultline/lab';
import type { Judge } from './context.js';

/** Growth of the dead-letter queues during the run (an earlier run's letters neither fail nor satisfy this one). */
export const deadLetters: Judge<'dead-letters'> = async (e, { obs, result }) => {
  // Growth during the run, so that letters an earlier run left behind neither fail nor satisfy this one.
  const queues = (await queueStates(obs.cfg)).filter((q) => q.deadLetter && (!e.queue || q.name === e.queue));
  const measured = queues.reduce((a, q) => a + q.messages - (obs.deadLettersAtStart[q.name] ?? 0), 0);
  const ok = (e.min === undefined || measured >= e.min) && (e.max === undefined || measured <= e.max);
  return result(
    measured,
    ok,
    [e.min !== undefined ? `≥ ${e.min}` : '', e.max !== undefined ? `≤ ${e.max}` : ''].filter(Boolean).join(' and ') || 'any',
    'new messages',
    queues.map((q) => `${q.name}: ${obs.deadLettersAtStart[q.name] ?? 0} → ${q.messages}`).join(', ') || 'no dead-letter queue',
  );
};
