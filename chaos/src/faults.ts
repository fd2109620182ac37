import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  addToxic,
  edgeState,
  type LabConfig,
  type LabTarget,
  proxyConfig,
  rabbitmqAuthOf,
  rabbitmqManagementUrl,
  removeToxic,
  type ServiceName,
  setEdgeEnabled,
} from '@faultline/lab';
import type { Fault, MessageFault } from './schema.js';

const PREFIX = 'chaos_';

const EVENTS_EXCHANGE = 'faultline.events';

/** Publish one message to the events exchange through RabbitMQ's management API: straight to the broker, not through any service's edge. */
async function publish(cfg: LabConfig, routingKey: string, messageId: string, payload: string, headers: Record<string, unknown> = {}): Promise<void> {
  const response = await fetch(`${rabbitmqManagementUrl(cfg)}/api/exchanges/%2F/${EVENTS_EXCHANGE}/publish`, {
    method: 'POST',
    headers: { ...rabbitmqAuthOf(cfg), 'content-type': 'application/json' },
    body: JSON.stringify({
      routing_key: routingKey,
      properties: { message_id: messageId, content_type: 'application/json', delivery_mode: 2, type: routingKey, headers },
      payload,
      payload_encoding: 'string',
    }),
  });
  const answer = (await response.json().catch(() => ({}))) as { routed?: boolean };
  if (!response.ok || answer.routed !== true) throw new Error(`publishing to ${routingKey} failed: ${response.status}, routed ${answer.routed}`);
}

/** A made-up `user.registered` event: a user nobody else knows. */
const registration = (userId: string) => ({
  id: `chaos-registered-${userId}`,
  type: 'user.registered',
  occurredAt: new Date().toISOString(),
  data: { userId, email: `chaos-duplicate-${userId}@faultline.test`, name: 'Chaos Duplicate' },
});

/** Publish a made-up user's registration. */
const register = (cfg: LabConfig, userId: string) => {
  const registered = registration(userId);
  return publish(cfg, 'user.registered', registered.id, JSON.stringify(registered));
};

/** A made-up refund of a made-up order for `userId`, as a complete envelope with its own id. */
const refundEnvelope = (id: string, userId: string) => ({
  id,
  type: 'payment.refunded',
  occurredAt: new Date().toISOString(),
  data: { paymentId: randomUUID(), orderId: randomUUID(), userId, amount: 1000, currency: 'EUR' },
});

/**
 * A made-up `payment.refunded` event for an order no service knows: order's consumer records it
 * as handled (nothing to refund there). Its user is registered first, so notification can tell them.
 */
const refund = async (cfg: LabConfig, userId: string) => {
  await register(cfg, userId);
  return refundEnvelope(randomUUID(), userId).data;
};

/** What a consumer's retry counter header is called (the platform's consumer reads it). */
const RETRY_COUNT_HEADER = 'x-retry-count';

/**
 * `poison`: `count` messages that are not valid envelopes (truncated JSON), each with its own id.
 * `duplicate`: `count` valid events for made-up users (`user.registered`, or `payment.refunded` for
 * a made-up order), each published twice with the same message id — what a redelivery looks like to a consumer.
 * `early`: `count` refunds published half a second before their user's registration.
 * `exhausted`: `count` refunds for users never registered, marked as retried `retriedAlready` times.
 */
async function publishMessages(cfg: LabConfig, fault: MessageFault): Promise<void> {
  const { publish: kind, routingKey, count } = fault;
  const early: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `chaos-${kind}-${randomUUID()}`;
    const userId = randomUUID();
    if (kind === 'poison') await publish(cfg, routingKey, id, '{"id": "chaos-poison", "type": ');
    else if (kind === 'early') {
      await publish(cfg, routingKey, id, JSON.stringify(refundEnvelope(id, userId)));
      early.push(userId);
    } else if (kind === 'exhausted')
      await publish(cfg, routingKey, id, JSON.stringify(refundEnvelope(id, userId)), { [RETRY_COUNT_HEADER]: fault.retriedAlready });
    else {
      const data = routingKey === 'payment.refunded' ? await refund(cfg, userId) : registration(userId).data;
      const envelope = { id, type: routingKey, occurredAt: new Date().toISOString(), data };
      for (let copy = 0; copy < 2; copy += 1) await publish(cfg, routingKey, id, JSON.stringify(envelope));
    }
  }
  if (!early.length) return;
  // Late enough that the refunds' first attempts have failed, well before their first retry (a second at the least).
  await sleep(500);
  for (const userId of early) await register(cfg, userId);
}

/** Describe a fault for reports: the target and what is done to it. */
export function describeFault(fault: Fault): { target: string; what: string } {
  if ('card' in fault) return { target: 'checkout load', what: `1 checkout in ${fault.every} pays with ${fault.card}` };
  if ('publish' in fault)
    return {
      target: `exchange ${EVENTS_EXCHANGE} (${fault.routingKey})`,
      what: {
        duplicate: `${fault.count} messages published twice`,
        poison: `${fault.count} poison messages published`,
        early: `${fault.count} messages published before their user's registration`,
        exhausted: `${fault.count} messages for unknown users, already retried ${fault.retriedAlready} times`,
      }[fault.publish],
    };
  if ('service' in fault) return { target: fault.service, what: fault.action === 'stop' ? 'service stopped' : 'service restarted' };
  const attributes = Object.entries(fault.attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return {
    target: fault.edge,
    what:
      fault.toxic === 'down'
        ? 'edge down'
        : `${fault.toxic} ${fault.stream}${attributes ? ` ${attributes}` : ''}${fault.toxicity < 1 ? ` toxicity=${fault.toxicity}` : ''}`,
  };
}

/** Check that a fault names a real edge of the topology (before anything runs). */
export function validateFault(cfg: LabConfig, fault: Fault): void {
  if ('service' in fault || 'publish' in fault || 'card' in fault) return;
  if (!proxyConfig(cfg).some((p) => p.name === fault.edge))
    throw new Error(`fault ${fault.id}: no edge named ${fault.edge} (npm run faultline -- edges lists them)`);
}

/** Inject a fault. */
export async function inject(lab: LabTarget, fault: Fault): Promise<void> {
  const { cfg } = lab;
  if ('card' in fault) return; // k6 switches cards on its own clock (see cardFaultEnv)
  if ('publish' in fault) {
    await publishMessages(cfg, fault);
    return;
  }
  if ('service' in fault) {
    await lab.stopService(fault.service as ServiceName);
    if (fault.action === 'restart') await lab.startService(fault.service as ServiceName);
    return;
  }
  if (fault.toxic === 'down') {
    await setEdgeEnabled(cfg, fault.edge, false);
    return;
  }
  await addToxic(cfg, fault.edge, {
    name: `${PREFIX}${fault.id}`,
    type: fault.toxic,
    stream: fault.stream,
    toxicity: fault.toxicity,
    attributes: fault.attributes,
  });
}

/** Remove a fault (idempotent). */
export async function remove(lab: LabTarget, fault: Fault): Promise<void> {
  const { cfg } = lab;
  if ('card' in fault) return;
  if ('publish' in fault) return; // what was published stays published: the consumers' business now
  if ('service' in fault) {
    if (fault.action === 'stop') await lab.startService(fault.service as ServiceName);
    return;
  }
  if (fault.toxic === 'down') {
    await setEdgeEnabled(cfg, fault.edge, true);
    return;
  }
  await removeToxic(cfg, fault.edge, `${PREFIX}${fault.id}`);
}

/**
 * Remove every chaos toxic from every edge and re-enable every edge — whatever happened (failure,
 * abort, Ctrl-C). Returns how many things it had to undo.
 */
export async function removeAllFaults(lab: LabTarget, faults: readonly Fault[] = []): Promise<number> {
  const { cfg } = lab;
  let undone = 0;
  for (const proxy of proxyConfig(cfg)) {
    const state = await edgeState(cfg, proxy.name);
    for (const toxic of state.toxics) if (toxic.name.startsWith(PREFIX) && (await removeToxic(cfg, proxy.name, toxic.name))) undone += 1;
    if (!state.enabled) {
      await setEdgeEnabled(cfg, proxy.name, true);
      undone += 1;
    }
  }
  for (const fault of faults) {
    if ('service' in fault && (await lab.startService(fault.service as ServiceName)) === 'started') undone += 1;
  }
  return undone;
}

/** The k6 environment of the experiment's card fault (at most one), so k6 switches cards in its window. */
export function cardFaultEnv(faults: readonly Fault[]): Record<string, string> {
  const fault = faults.find((f): f is Extract<Fault, { card: string }> => 'card' in f);
  if (!fault) return {};
  return {
    CARD_FAULT_TOKEN: fault.card,
    CARD_FAULT_EVERY: String(fault.every),
    CARD_FAULT_FROM: String(fault.start),
    CARD_FAULT_TO: String(fault.start + fault.duration),
  };
}
