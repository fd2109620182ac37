import { rabbitmqAuth, rabbitmqManagementUrl } from '@faultline/lab';
import amqp, { type GetMessage } from 'amqplib';
import { eventually, lab } from '../../lab/test/support.js';

const api = (path: string) => `${rabbitmqManagementUrl(lab())}/api${path}`;

/** Ready messages and consumers of `queue` right now (a passive declare, so no statistics lag); undefined when it does not exist. */
export async function checkQueue(url: string, queue: string): Promise<{ messageCount: number; consumerCount: number } | undefined> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    return await channel.checkQueue(queue).catch(() => undefined);
  } finally {
    await connection.close();
  }
}

/** Take every message from `queue` (directly, not through the platform), acking each. */
export async function drainQueue(url: string, queue: string): Promise<GetMessage[]> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (!message) return messages;
      messages.push(message);
    }
  } finally {
    await connection.close();
  }
}

/** Force-close every connection RabbitMQ knows under `connectionName`, as an operator would. */
export async function killConnections(connectionName: string): Promise<number> {
  const connections = await eventually(`a connection named ${connectionName}`, async () => {
    const response = await fetch(api('/connections'), { headers: rabbitmqAuth });
    const all = (await response.json()) as { name: string; client_properties?: { connection_name?: string } }[];
    const mine = all.filter((c) => c.client_properties?.connection_name === connectionName);
    return mine.length > 0 ? mine : undefined;
  });
  for (const { name } of connections) {
    const response = await fetch(api(`/connections/${encodeURIComponent(name)}`), {
      method: 'DELETE',
      headers: { ...rabbitmqAuth, 'x-reason': 'test kills the connection' },
    });
    if (!response.ok && response.status !== 404) throw new Error(`DELETE connection: HTTP ${response.status}`);
  }
  return connections.length;
}

/** Delete the queues a consumer declared (work, retry and dead-letter), ignoring missing ones. */
export async function deleteQueues(names: string[]): Promise<void> {
  await Promise.all(names.map((name) => fetch(api(`/queues/%2F/${encodeURIComponent(name)}`), { method: 'DELETE', headers: rabbitmqAuth })));
}

/** Delete an exchange a test declared. */
export async function deleteExchange(name: string): Promise<void> {
  await fetch(api(`/exchanges/%2F/${encodeURIComponent(name)}`), { method: 'DELETE', headers: rabbitmqAuth });
}
