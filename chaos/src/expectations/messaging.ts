import { setTimeout as sleep } from 'node:timers/promises';
import { adminToken, fetchJson, queueStates, serviceUrl } from '@faultline/lab';
import type { Judge } from './context.js';

type OutboxEvent = { id: string; type: string; createdAt: string; sentAt: string | null };

/**
 * Every event of `e.events` that `e.service` wrote to its outbox in the window reached its consumer
 * and was acted on: notification sends one message per such event with the event id as its
 * reference, so the message sink is the receipt. Waits up to `within` seconds for stragglers (a
 * relay behind, a consumer retrying). Measured: the events without a message.
 */
export const eventsDelivered: Judge<'events-delivered'> = async (e, { obs, from, to, result }) => {
  const token = await adminToken(obs.cfg);
  const written: OutboxEvent[] = [];
  for (const type of e.events) {
    const url = `${serviceUrl(obs.cfg, e.service)}/v1/admin/outbox?since=${Math.floor(from * 1000)}&until=${Math.ceil(to * 1000)}&type=${type}&limit=1000`;
    written.push(...(await fetchJson<{ items: OutboxEvent[] }>(url, { token })).items);
  }
  const sink = serviceUrl(obs.cfg, 'providers');
  const received = async (event: OutboxEvent) =>
    (await fetchJson<{ items: unknown[] }>(`${sink}/v1/messages?reference=${encodeURIComponent(event.id)}&limit=1`)).items.length > 0;
  let missing = written;
  const deadline = Date.now() + e.within * 1000;
  for (;;) {
    const still: OutboxEvent[] = [];
    for (const event of missing) if (!(await received(event))) still.push(event);
    missing = still;
    if (missing.length === 0 || Date.now() >= deadline) break;
    await sleep(2000);
  }
  const enough = written.length >= e.min;
  const marked = missing.filter((m) => m.sentAt !== null).length;
  return result(
    missing.length,
    enough && missing.length === 0,
    `≤ 0 lost of ≥ ${e.min} written`,
    'events',
    `${written.length} ${e.events.join('/')} events written by ${e.service}` +
      (missing.length ? `; ${missing.length} never reached the sink (${marked} of them marked sent by the relay), e.g. ${missing[0]?.id}` : ''),
  );
};

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
