import { type Broker, deadLetterQueueName, queueName } from '@faultline/platform';

/** Reads how many messages wait in the consumer's dead-letter queue (a passive declare, no statistics lag). */
export interface DeadLetters {
  readonly queue: string;
  /** Undefined when the broker cannot be asked right now. */
  depth(): Promise<number | undefined>;
}

const ASK_TIMEOUT_MS = 1000;

export function deadLetters(broker: Broker | undefined, service: string, purpose: string): DeadLetters {
  const queue = deadLetterQueueName(queueName(service, purpose));
  // Opened on first use; the broker reopens it after a reconnect and closes it on shutdown.
  let managed: ReturnType<Broker['channel']> | undefined;

  async function depth(): Promise<number | undefined> {
    if (!broker) return undefined;
    managed ??= broker.channel({ name: `dead-letter probe ${queue}`, setup: async () => {} });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ASK_TIMEOUT_MS);
    });
    try {
      const channel = await Promise.race([managed.ready(), timeout]);
      // A queue not declared yet (the consumer has not started) closes the channel; it is reopened.
      const ok = channel && (await Promise.race([channel.checkQueue(queue).catch(() => undefined), timeout]));
      return ok ? ok.messageCount : undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  return { queue, depth };
}
