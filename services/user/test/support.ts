import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rabbitmqUrl } from '@faultline/lab';
import { type createTestDatabase, lab, unique } from '@faultline/lab/testing';
import { connectBroker, createLogger, createPool, declareExchange, type Envelope, loadConfig, type RunningService, startRuntime } from '@faultline/platform';
import { runtimeOptions } from '../src/app.js';
import { configShape } from '../src/config.js';

export { createTestDatabase, eventually, unique } from '@faultline/lab/testing';

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/** The user service in-process on port 0 against `database` and `exchange`; its log lines go to `logFile`. */
export async function startUser(database: TestDatabase, exchange: string, env: Record<string, string> = {}) {
  const logFile = path.join(tmpdir(), `user-${unique()}.log`);
  const config = loadConfig(configShape, {
    SERVICE_NAME: 'user',
    DATABASE_URL: database.url,
    AMQP_URL: rabbitmqUrl(lab()),
    EVENTS_EXCHANGE: exchange,
    OUTBOX_POLL_MS: '100',
    // Every test request comes from 127.0.0.1; the throttling test sets its own limits.
    AUTH_LIMIT_PER_ADDRESS: '100000',
    ...env,
  });
  const logger = createLogger({ service: 'user', level: 'debug', console: false, file: logFile });
  const service = await startRuntime(runtimeOptions(config, { logger })).catch(async (error: unknown) => {
    await rm(logFile, { force: true });
    throw error;
  });
  service.shutdown.onShutdown('test log file', () => rm(logFile, { force: true }));
  return { service, logFile, logs: () => readFile(logFile, 'utf8').catch(() => '') };
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** One JSON request to the service. */
export async function call<T = Record<string, unknown>>(
  service: RunningService,
  method: string,
  url: string,
  options: { body?: unknown; token?: string; raw?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${service.url}${url}`, {
    method,
    headers,
    ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Register `email` and log in; returns the user and the access token. */
export async function signUp(service: RunningService, email: string, password = 'correct horse battery', name = 'Ann Lovelace') {
  const registered = await call<{ id: string }>(service, 'POST', '/v1/auth/register', { body: { email, name, password } });
  if (registered.status !== 201) throw new Error(`register ${email}: HTTP ${registered.status} ${JSON.stringify(registered.body)}`);
  return { id: registered.body.id, token: await logIn(service, email, password) };
}

export async function logIn(service: RunningService, email: string, password: string): Promise<string> {
  const answer = await call<{ accessToken: string }>(service, 'POST', '/v1/auth/login', { body: { email, password } });
  if (answer.status !== 200) throw new Error(`login ${email}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.accessToken;
}

/** The value of one sample in the service's /metrics, or 0 when it is absent. */
export async function metric(service: RunningService, sample: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** A database pool for looking at the service's own tables. */
export const inspect = (database: TestDatabase) => createPool(database.url, { logger: createLogger({ service: 'user-test', silent: true }), max: 2 });

/**
 * Every message published to `exchange` (any routing key), from the moment it resolves: an
 * exclusive queue bound with `#`. `close` also deletes the exchange the test used.
 */
export async function catchEvents(exchange: string) {
  const received: Envelope[] = [];
  const broker = connectBroker(rabbitmqUrl(lab()), { logger: createLogger({ service: 'user-test', silent: true }), name: `user-test-${unique()}` });
  const channel = broker.channel({
    name: 'event catcher',
    setup: async (ch) => {
      await declareExchange(ch, exchange);
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
      await ch.bindQueue(queue, exchange, '#');
      await ch.consume(queue, (message) => message && received.push(JSON.parse(message.content.toString()) as Envelope), { noAck: true });
    },
  });
  await channel.ready();
  return {
    received,
    async close() {
      await (await channel.ready()).deleteExchange(exchange);
      await channel.close();
      await broker.close();
    },
  };
}
