import type { LabConfig } from '../config.js';
import { rabbitmqAuthOf, rabbitmqManagementUrl } from '../infra/components/rabbitmq.js';

/** Letters of one dead-letter queue with the same reason and event. */
export interface DeadLetterGroup {
  queue: string;
  /** `x-dead-letter-reason` (poison, retries-exhausted …), `-` when the broker dead-lettered it itself. */
  reason: string;
  /** The event's routing key (`order.confirmed`). */
  event: string;
  count: number;
  example: { messageId: string; detail: string };
}

interface ManagementMessage {
  routing_key: string;
  properties?: { message_id?: string; type?: string; headers?: Record<string, unknown> };
}

/** How many letters are read per queue to name them (they are requeued: left in place). */
const SAMPLE = 100;

/**
 * What is in each non-empty dead-letter queue, grouped by reason and event, with an example.
 * Read through the management API with `ack_requeue_true`: every letter stays where it was.
 */
export async function deadLetterGroups(cfg: LabConfig, queues: readonly { name: string; messages: number }[]): Promise<DeadLetterGroup[]> {
  const groups = new Map<string, DeadLetterGroup>();
  for (const queue of queues.filter((q) => q.messages > 0)) {
    const response = await fetch(`${rabbitmqManagementUrl(cfg)}/api/queues/%2F/${encodeURIComponent(queue.name)}/get`, {
      method: 'POST',
      headers: { ...rabbitmqAuthOf(cfg), 'content-type': 'application/json' },
      body: JSON.stringify({ count: SAMPLE, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 2000 }),
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    if (!response?.ok) continue;
    for (const message of (await response.json()) as ManagementMessage[]) {
      const headers = message.properties?.headers ?? {};
      const reason = String(headers['x-dead-letter-reason'] ?? '-');
      const event = String(headers['x-original-routing-key'] ?? message.properties?.type ?? message.routing_key);
      const key = `${queue.name}\u0000${reason}\u0000${event}`;
      const group = groups.get(key);
      if (group) group.count += 1;
      else
        groups.set(key, {
          queue: queue.name,
          reason,
          event,
          count: 1,
          example: { messageId: message.properties?.message_id ?? '-', detail: String(headers['x-dead-letter-detail'] ?? headers['x-last-error'] ?? '') },
        });
    }
  }
  return [...groups.values()];
}

/** Where a user reads a dead-letter queue's messages (the management UI's queue page: "Get messages"). */
export const deadLetterQueueUrl = (cfg: LabConfig, queue: string) => `${rabbitmqManagementUrl(cfg)}/#/queues/%2F/${encodeURIComponent(queue)}`;
