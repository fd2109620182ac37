import { randomUUID } from 'node:crypto';
import { TEST_CARD_TOKENS } from '@faultline/contracts';
import { rabbitmqUrl, toxiproxyUrl } from '@faultline/lab';
import { createTestDatabase, lab, startTokenIssuer, unique } from '@faultline/lab/testing';
import { connectBroker, type Envelope, loadConfig, type RunningService, startRuntime } from '@faultline/platform';
import { type Proxy as ToxiProxy, Toxiproxy } from 'toxiproxy-node-client';
import { captureLogger } from '../../../packages/platform/test/data-support.js';
import { deleteExchange } from '../../../packages/platform/test/messaging-support.js';
import { startProviders } from '../../providers/test/support.js';
import { runtimeOptions } from '../src/app.js';
import { configShape } from '../src/config.js';

/** Every `payment.*` event published on `exchange`, collected through the platform's broker connection. */
async function recordEvents(exchange: string) {
  const events: Envelope<Record<string, unknown>>[] = [];
  const broker = connectBroker(rabbitmqUrl(lab()), { logger: captureLogger('payment-test-events').logger, name: `payment-test-${unique()}` });
  const channel = broker.channel({
    name: 'test events',
    setup: async (ch) => {
      await ch.assertExchange(exchange, 'topic', { durable: true });
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
      await ch.bindQueue(queue, exchange, 'payment.*');
      await ch.consume(queue, (message) => message && events.push(JSON.parse(message.content.toString())), { noAck: true });
    },
  });
  await channel.ready();
  return { events, close: () => broker.close() };
}

export interface StackOptions {
  /** Put a Toxiproxy proxy on the payment → providers edge. */
  viaToxiproxy?: boolean;
  /** Extra payment environment (policy settings). */
  env?: Record<string, string>;
}

/** Payment and the real providers service in-process, each with a fresh database, on a unique exchange. */
export async function startStack(options: StackOptions = {}) {
  const providers = await startProviders();
  const issuer = await startTokenIssuer();
  const exchange = `test.payment.${unique()}`;
  const recorder = await recordEvents(exchange);
  let proxy: ToxiProxy | undefined;
  if (options.viaToxiproxy)
    proxy = await new Toxiproxy(toxiproxyUrl(lab())).createProxy({
      name: `test_payment__providers_${unique()}`,
      listen: '127.0.0.1:0',
      upstream: new URL(providers.url).host,
    });
  const database = await createTestDatabase();
  const config = loadConfig(configShape, {
    SERVICE_NAME: 'payment',
    DATABASE_URL: database.url,
    AMQP_URL: rabbitmqUrl(lab()),
    EVENTS_EXCHANGE: exchange,
    OUTBOX_POLL_MS: '100',
    PROVIDERS_URL: proxy ? `http://${proxy.listen}` : providers.url,
    JWKS_URL: issuer.jwksUrl,
    PROVIDERS_POLICY: JSON.stringify({ retry: { initialDelayMs: 10, maxDelayMs: 50 } }),
    ...options.env,
  });
  const payment: RunningService = await startRuntime(runtimeOptions(config, { logger: captureLogger('payment').logger }));

  const json = { 'content-type': 'application/json' };
  /** A service token as order holds it at payment (all its scopes), or with `scopes`. */
  const serviceToken = (scopes?: readonly string[]) => issuer.signService('order', 'payment', scopes);
  const bearer = (token: string | null | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  return {
    payment,
    providers,
    proxy,
    events: recorder.events,
    token: async (userId: string, roles?: string[]) => issuer.sign(userId, roles),
    serviceToken,
    /** A valid charge request for a fresh order. */
    order: (overrides: Record<string, unknown> = {}) => ({
      orderId: randomUUID(),
      userId: randomUUID(),
      amount: 4200,
      currency: 'EUR',
      cardToken: TEST_CARD_TOKENS.success,
      ...overrides,
    }),
    /** POST /v1/payments with Idempotency-Key = the order id unless `key` says otherwise (null: none). */
    charge: (body: { orderId: string } & Record<string, unknown>, key: string | null = body.orderId, token: string | null = serviceToken()) =>
      fetch(`${payment.url}/v1/payments`, {
        method: 'POST',
        headers: { ...json, ...bearer(token), ...(key === null ? {} : { 'idempotency-key': key }) },
        body: JSON.stringify(body),
      }),
    refund: (paymentId: string, token: string | null = serviceToken()) =>
      fetch(`${payment.url}/v1/payments/${paymentId}/refund`, { method: 'POST', headers: bearer(token) }),
    /** GET; the internal routes (`/v1/payments`, `/v1/payments/:id`) get order's service token unless `token` is given (`null`: none). */
    get: (path: string, token?: string | null) =>
      fetch(`${payment.url}${path}`, {
        headers: bearer(token === undefined && /^\/v1\/payments(\?|\/(?!history))/.test(path) ? serviceToken() : token),
      }),
    /** The charges the card processor holds for an order (asked directly, never through the proxy). */
    chargesAtProcessor: async (orderId: string) =>
      (
        (await (await fetch(`${providers.url}/v1/charges?reference=${orderId}`)).json()) as {
          charges: { chargeId: string; status: string; refundedAmount: number }[];
        }
      ).charges,
    eventsOf: (orderId: string) => recorder.events.filter((e) => e.data.orderId === orderId),
    /** The value of one sample of payment's /metrics (0 when absent), e.g. `metric('payments_total', { outcome: 'captured' })`. */
    metric: async (name: string, labels: Record<string, string> = {}) => {
      for (const line of (await (await fetch(`${payment.url}/metrics`)).text()).split('\n')) {
        const match = line.match(/^(\w+)(?:\{([^}]*)\})? (\S+)$/);
        if (match?.[1] !== name) continue;
        const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
      }
      return 0;
    },
    async stop() {
      await payment.stop();
      await recorder.close();
      await proxy?.remove();
      await providers.stop();
      await issuer.close();
      await deleteExchange(exchange);
      await database.drop();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
