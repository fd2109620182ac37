import { randomUUID } from 'node:crypto';
import { createTestDatabase, startTokenIssuer, unique } from '@faultline/lab/testing';
import { loadConfig, type RunningService, startRuntime } from '@faultline/platform';
import { captureLogger } from '../../../packages/platform/test/data-support.js';
import { runtimeOptions } from '../src/app.js';
import { configShape } from '../src/config.js';

/** The first demo product (stock 10 000) and the limited one (stock 5). */
export const DEMO_MUG = '10000000-0000-4000-8000-000000000001';
export const DEMO_PLUSH = '10000000-0000-4000-8000-000000000012';

export interface ProductLab {
  service: RunningService;
  url: string;
  lines: Record<string, unknown>[];
  /** A signed token for a user with these roles. */
  token(roles: string[]): Promise<string>;
  /** A service token as order holds it (all of order's scopes at product), or with `scopes`. */
  serviceToken(scopes?: readonly string[]): string;
  /**
   * fetch with a JSON body; `token` adds the bearer header. Internal routes (`/v1/reservations`)
   * get order's service token unless `token` is given (`null`: none).
   */
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert on them
  call(method: string, path: string, options?: { body?: unknown; token?: string | null }): Promise<{ status: number; body: any }>;
  /** Add a product through the admin API; returns its id. */
  addProduct(fields: { name?: string; description?: string; price?: number; stock: number }): Promise<string>;
  stop(): Promise<void>;
}

/** The product service in-process on port 0, a fresh database, and a JWKS the service trusts. */
export async function startProduct(env: Record<string, string> = {}): Promise<ProductLab> {
  const database = await createTestDatabase();
  const issuer = await startTokenIssuer();
  const name = `product-${unique()}`;
  const config = loadConfig(configShape, {
    SERVICE_NAME: name,
    DATABASE_URL: database.url,
    JWKS_URL: issuer.jwksUrl,
    LOG_CONSOLE: 'false',
    ...env,
  });
  const { logger, lines } = captureLogger(name);
  const service = await startRuntime(runtimeOptions(config, { logger }));

  const token = async (roles: string[]) => issuer.sign(randomUUID(), roles);

  const serviceToken: ProductLab['serviceToken'] = (scopes) => issuer.signService('order', name, scopes, 'product');
  const call: ProductLab['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const token = options.token === undefined && path.startsWith('/v1/reservations') ? serviceToken() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  let adminToken: string | undefined;
  const addProduct: ProductLab['addProduct'] = async (fields) => {
    adminToken ??= await token(['admin']);
    const body = { name: fields.name ?? `Test product ${unique()}`, description: fields.description ?? '', price: fields.price ?? 1000, stock: fields.stock };
    const created = await call('POST', '/v1/products', { body, token: adminToken });
    if (created.status !== 201) throw new Error(`adding a product failed: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id as string;
  };

  return {
    service,
    url: service.url,
    lines,
    token,
    serviceToken,
    call,
    addProduct,
    async stop() {
      await service.stop();
      await issuer.close();
      await database.drop();
    },
  };
}

/** A reservation request body for `items` ([productId, quantity] pairs). */
export const reservation = (items: [string, number][], ids = { reservationId: randomUUID(), orderId: randomUUID() }) => ({
  ...ids,
  items: items.map(([productId, quantity]) => ({ productId, quantity })),
});
