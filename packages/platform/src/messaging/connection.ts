import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { amqp } from '../instrumented.js';
import type { Logger } from '../logging.js';

export interface BrokerOptions {
  logger: Logger;
  /** Connection name shown by RabbitMQ (`connection_name`); chaos tooling and tests find the connection by it. */
  name?: string;
  /** First reconnect delay in ms (default 200); it doubles, with jitter, up to {@link maxDelayMs}. */
  initialDelayMs?: number;
  /** Longest reconnect delay in ms (default 10 000). */
  maxDelayMs?: number;
  /** AMQP heartbeat in seconds (default 10), so a silently dead peer is noticed. */
  heartbeatSec?: number;
}

/** A channel the broker keeps open: reopened after a channel error and after every reconnect. */
export interface ManagedChannel<C extends Channel> {
  /** The open channel, or undefined while it is being (re)opened. */
  readonly current: C | undefined;
  /** Resolves with the channel once it is open and set up. */
  ready(): Promise<C>;
  close(): Promise<void>;
}

export interface ManagedChannelOptions<C extends Channel> {
  /** For logs. */
  name: string;
  /** Runs on every fresh channel before it is handed out: declare topology, set prefetch, start consuming. */
  setup: (channel: C) => Promise<void>;
}

/** One recovering AMQP connection per service. */
export interface Broker {
  /** True while a connection is open (for the readiness check). */
  readonly connected: boolean;
  /** Resolves once the first connection is open. */
  waitForConnect(): Promise<void>;
  /** A plain channel kept open across failures; `setup` runs on each new one. */
  channel(options: ManagedChannelOptions<Channel>): ManagedChannel<Channel>;
  /** A publisher-confirms channel kept open across failures; `setup` runs on each new one. */
  confirmChannel(options: ManagedChannelOptions<ConfirmChannel>): ManagedChannel<ConfirmChannel>;
  /** Close every managed channel, then the connection; no reconnect afterwards. */
  close(): Promise<void>;
}

interface Participant {
  open(model: ChannelModel): void;
  detach(): void;
}

/**
 * Connect to RabbitMQ with recovery. amqplib's built-in recovery re-opens the connection with
 * exponential backoff and jitter; channels are recovered here, because amqplib does not: each
 * managed channel is re-created (and its `setup` re-run, re-declaring topology and restarting
 * consumers) after a reconnect, and after a channel-level error on a live connection.
 * Returns at once; the first connection is made in the background.
 */
export function connectBroker(url: string, options: BrokerOptions): Broker {
  const { logger } = options;
  const initialDelayMs = options.initialDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const target = new URL(url);
  target.searchParams.set('heartbeat', String(options.heartbeatSec ?? 10));
  const endpoint = `${target.hostname}:${target.port}`;
  const participants = new Set<Participant>();
  let model: ChannelModel | undefined;
  let stopped = false;

  const backoff = (attempt: number) => {
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  };

  const recovering = amqp.connect(target.toString(), {
    clientProperties: { connection_name: options.name ?? 'faultline' },
    timeout: 5000,
    recovery: { initialDelay: initialDelayMs, maxDelay: maxDelayMs, maxRetries: Number.POSITIVE_INFINITY, waitForConnect: false },
  });
  const connection = recovering.then((conn) => {
    conn.on('connect', (opened: ChannelModel) => {
      model = opened;
      logger.info('broker connected', { endpoint });
      for (const participant of participants) participant.open(opened);
    });
    conn.on('disconnect', (error: Error) => {
      model = undefined;
      for (const participant of participants) participant.detach();
      logger.warn('broker connection lost', { endpoint, error });
    });
    conn.on('connect-failed', (error: Error) => logger.warn('broker connection attempt failed', { endpoint, error }));
    conn.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      logger.info('broker reconnect scheduled', { endpoint, attempt, delayMs: delay }),
    );
    conn.on('error', (error: Error) => logger.warn('broker connection error', { endpoint, error }));
    conn.on('blocked', (reason: string) => logger.warn('broker blocked the connection', { endpoint, reason }));
    return conn;
  });

  function manage<C extends Channel>(create: (m: ChannelModel) => Promise<C>, { name, setup }: ManagedChannelOptions<C>): ManagedChannel<C> {
    let current: C | undefined;
    let closed = false;
    let attempt = 0;
    let timer: NodeJS.Timeout | undefined;
    let opening: ChannelModel | undefined;
    let waiters: ((channel: C) => void)[] = [];

    const reopenLater = (on: ChannelModel) => {
      if (closed || stopped || on !== model || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        participant.open(on);
      }, backoff(attempt++));
    };

    const participant: Participant = {
      open(on) {
        if (closed || opening === on || on !== model) return;
        opening = on;
        void (async () => {
          let channel: C | undefined;
          try {
            channel = await create(on);
            const opened = channel;
            opened.on('error', (error: Error) => logger.warn('broker channel error', { channel: name, error }));
            opened.once('close', () => {
              if (current !== opened) return;
              current = undefined;
              reopenLater(on);
            });
            await setup(opened);
            if (closed || on !== model) {
              await opened.close().catch(() => {});
              return;
            }
            current = opened;
            attempt = 0;
            for (const resolve of waiters.splice(0)) resolve(opened);
          } catch (error) {
            logger.warn('broker channel setup failed', { channel: name, error });
            await channel?.close().catch(() => {});
            reopenLater(on);
          } finally {
            if (opening === on) opening = undefined;
          }
        })();
      },
      detach() {
        current = undefined;
        clearTimeout(timer);
        timer = undefined;
        attempt = 0;
      },
    };
    participants.add(participant);
    if (model) participant.open(model);

    return {
      get current() {
        return current;
      },
      ready: () => (current ? Promise.resolve(current) : new Promise<C>((resolve) => waiters.push(resolve))),
      async close() {
        closed = true;
        participants.delete(participant);
        clearTimeout(timer);
        waiters = [];
        const channel = current;
        current = undefined;
        await channel?.close().catch(() => {});
      },
    };
  }

  return {
    get connected() {
      return model !== undefined;
    },
    async waitForConnect() {
      await (await connection).waitForConnect();
    },
    channel: (opts) => manage((m) => m.createChannel(), opts),
    confirmChannel: (opts) => manage((m) => m.createConfirmChannel(), opts),
    async close() {
      stopped = true;
      await (await connection).close();
      model = undefined;
    },
  };
}
