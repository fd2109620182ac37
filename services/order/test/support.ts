import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventSchemas } from '@faultline/contracts';
import { rabbitmqAuth, rabbitmqManagementUrl, rabbitmqUrl } from '@faultline/lab';
import { createTestDatabase, eventually, lab, startTokenIssuer, unique } from '@faultline/lab/testing';
import { createLogger, defineHandler, type Envelope, loadConfig, type RunningService, startRuntime } from '@faultline/platform';
import { orderConsumers, runtimeOptions } from '../src/app.js';
import { configShape } from '../src/config.js';
import type { SagaWorker } from '../src/saga/worker.js';
import { paymentStandIn, productStandIn } from './stand-ins.js';

/** Short delays so sagas resolve within a test; the payment breaker opens after two failures. */
const TEST_ENV = {
  OUTBOX_POLL_MS: '100',
  SAGA_POLL_MS: '100',
  SAGA_RETRY_BASE_MS: '100',
  SAGA_RETRY_MAX_MS: '400',
  CHECKOUT_SYNC_BUDGET_MS: '2000',
  PRODUCT_DEADLINE_MS: '3000',
  PAYMENT_DEADLINE_MS: '3000',
  PRODUCT_POLICY: JSON.stringify({ timeoutMs: 1000, retry: { initialDelayMs: 20, maxDelayMs: 50 }, breaker: { halfOpenAfterMs: 300 } }),
  PAYMENT_POLICY: JSON.stringify({
    timeoutMs: 400,
    retry: { initialDelayMs: 20, maxDelayMs: 50 },
    breaker: { minimumCalls: 2, size: 4, halfOpenAfterMs: 300 },
  }),
};

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * One order service (in-process, PORT=0) on a fresh database and a unique exchange, with product
 * and payment stand-ins, a token authority and a consumer that collects what it publishes.
 */
export async function startOrderLab(catalog: Record<string, { stock: number; price: number }>, env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const exchange = `test.order.${unique()}`;
  const serviceName = `order-${unique()}`;
  const product = await productStandIn(catalog);
  const payment = await paymentStandIn();
  const tokens = await startTokenIssuer();
  const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'order-test-')), 'order.log');
  const logger = createLogger({ service: serviceName, console: false, file: logFile, level: 'debug' });
  const published: Published[] = [];
  const collect = async (envelope: Envelope<unknown>) => {
    published.push(envelope as Published);
  };

  async function start(extra: Record<string, string> = {}): Promise<{ service: RunningService; worker: SagaWorker }> {
    const config = loadConfig(configShape, {
      SERVICE_NAME: serviceName,
      DATABASE_URL: database.url,
      AMQP_URL: rabbitmqUrl(lab()),
      EVENTS_EXCHANGE: exchange,
      PRODUCT_URL: product.url,
      PAYMENT_URL: payment.url,
      JWKS_URL: tokens.jwksUrl,
      ...TEST_ENV,
      ...env,
      ...extra,
    });
    const options = runtimeOptions(config, {
      logger,
      retryDelaysMs: [100],
      consumers: (kit) => ({
        ...orderConsumers(kit),
        audit: {
          'order.confirmed': defineHandler(eventSchemas['order.confirmed'], collect),
          'order.cancelled': defineHandler(eventSchemas['order.cancelled'], collect),
        },
      }),
    });
    const service = await startRuntime(options);
    return { service, worker: options.sagaWorker(service) };
  }

  let current = await start();

  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${current.service.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
  }

  const queue = `${serviceName}.audit`;
  return {
    product,
    payment,
    tokens,
    exchange,
    published,
    /** The event the service published (through its outbox and the real broker) about `orderId`. */
    publishedAbout: (type: Published['type'], orderId: string) =>
      eventually(`${type} for ${orderId}`, async () => published.find((e) => e.type === type && e.data.orderId === orderId)),
    logFile,
    call,
    get service() {
      return current.service;
    },
    get worker() {
      return current.worker;
    },
    checkout: (token: string, key: string, body: Record<string, unknown>) =>
      call<Order & { name?: string; detail?: string }>('POST', '/v1/orders', { token, body, headers: { 'idempotency-key': key } }),
    /** Stop the running instance (gracefully, as a deploy would) and start a new one on the same database. */
    async restart(extra: Record<string, string> = {}) {
      await current.service.stop();
      current = await start(extra);
    },
    async stop() {
      await current.service.stop();
    },
    async close() {
      await current.service.stop().catch(() => undefined);
      await Promise.all([product.close(), payment.close(), tokens.close()]);
      const api = (p: string) => `${rabbitmqManagementUrl(lab())}/api${p}`;
      await Promise.all(
        [queue, `${queue}.dlq`, `${queue}.retry.100ms`, ...['', '.dlq', '.retry.100ms'].map((suffix) => `${serviceName}.payments${suffix}`)].map((name) =>
          fetch(api(`/queues/%2F/${encodeURIComponent(name)}`), { method: 'DELETE', headers: rabbitmqAuth }),
        ),
      );
      await fetch(api(`/exchanges/%2F/${encodeURIComponent(exchange)}`), { method: 'DELETE', headers: rabbitmqAuth });
      await database.drop();
    },
  };
}

export type OrderLab = Awaited<ReturnType<typeof startOrderLab>>;

export interface Order {
  orderId: string;
  userId: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  items: { productId: string; quantity: number; unitPrice?: number }[];
  total: number | null;
  reservationId: string;
  paymentId: string | null;
  cancelReason: string | null;
  refunded: boolean;
  version: number;
}

/** An event the service published, as the test's consumer received it. */
export interface Published {
  id: string;
  type: 'order.confirmed' | 'order.cancelled';
  data: { orderId: string; userId: string; reason?: string; refunded?: boolean; [field: string]: unknown };
}
