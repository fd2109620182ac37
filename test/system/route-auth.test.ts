import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SERVICE_GRANTS } from '@faultline/contracts';
import { serviceCredentials } from '../../packages/lab/src/topology/admin.js';
import { adminToken } from '../../packages/lab/src/topology/audit.js';
import { serviceUrl } from '../../packages/lab/src/topology/services.js';
import { SERVICE_NAMES, type ServiceName } from '../../packages/lab/src/topology/topology.js';
import { cfg, ensureShop, newCustomer } from './lab.js';

type RouteAuth = 'public' | 'user' | 'admin' | { service: string };
interface Operation {
  service: ServiceName;
  method: string;
  path: string;
  auth: RouteAuth;
  documented: string[];
}

/** Every operation of every service, as its own OpenAPI document declares it. */
async function operations(): Promise<Operation[]> {
  const all: Operation[] = [];
  for (const service of SERVICE_NAMES) {
    const doc = (await (await fetch(`${serviceUrl(cfg, service)}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { 'x-auth'?: RouteAuth; responses?: Record<string, unknown> }>>;
    };
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(item)) {
        assert.ok(operation['x-auth'], `${service} ${method.toUpperCase()} ${path} declares no auth`);
        all.push({ service, method: method.toUpperCase(), path, auth: operation['x-auth'], documented: Object.keys(operation.responses ?? {}) });
      }
  }
  return all;
}

/** A service token for `client` at `audience`, from the lab's own credentials. */
async function serviceToken(client: string, audience: string): Promise<string> {
  const secret = (await serviceCredentials(cfg))[client as keyof typeof SERVICE_GRANTS];
  const response = await fetch(`${serviceUrl(cfg, 'user')}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: client, client_secret: secret, audience }),
  });
  assert.equal(response.status, 200, `a token for ${client} at ${audience}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

const grants = SERVICE_GRANTS as Record<string, Record<string, readonly string[]>>;
/** A client holding `scope` at `audience` (to be admitted), and one at the same audience that does not (to be refused). */
const holder = (audience: string, scope: string) => Object.keys(grants).find((c) => grants[c]?.[audience]?.includes(scope));
const nonHolder = (audience: string, scope: string) => Object.keys(grants).find((c) => grants[c]?.[audience] && !grants[c]?.[audience]?.includes(scope));

describe('every route of every service behaves as its OpenAPI document declares (auth)', function () {
  this.timeout(240_000);
  let all: Operation[];
  let customer: string;
  let admin: string;

  before(async () => {
    await ensureShop();
    all = await operations();
    customer = (await newCustomer()).token;
    admin = await adminToken(cfg);
  });

  // Nothing here writes a record: path ids are fresh UUIDs, bodies are `{}` (refused by validation once admitted).
  async function answer(op: Operation, token?: string): Promise<{ status: number; name?: string }> {
    const path = op.path.replace(/\{[^}]+\}/g, () => randomUUID());
    const hasBody = ['POST', 'PUT', 'PATCH'].includes(op.method);
    const response = await fetch(`${serviceUrl(cfg, op.service)}${path}`, {
      method: op.method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      ...(hasBody ? { body: '{}' } : {}),
    });
    const text = await response.text();
    let name: string | undefined;
    try {
      name = (JSON.parse(text) as { name?: string }).name;
    } catch {
      name = undefined;
    }
    return { status: response.status, ...(name ? { name } : {}) };
  }

  it('finds internal routes declared for services, and every guarded route documents 401 and 403', async () => {
    const internal = all.filter((op) => typeof op.auth === 'object').map((op) => `${op.service} ${op.method} ${op.path}`);
    for (const expected of [
      'payment POST /v1/payments',
      'payment GET /v1/payments',
      'payment GET /v1/payments/{id}',
      'payment POST /v1/payments/{id}/refund',
      'product POST /v1/reservations',
      'product GET /v1/reservations/{id}',
      'product POST /v1/reservations/{id}/commit',
      'product POST /v1/reservations/{id}/release',
    ])
      assert.ok(internal.includes(expected), `${expected} requires a service token`);
    const undocumented = all
      .filter((op) => op.auth !== 'public' && !(op.documented.includes('401') && op.documented.includes('403')))
      .map((op) => `${op.service} ${op.method} ${op.path}`);
    assert.deepEqual(undocumented, []);
  });

  it('without a token: 401 on every non-public route', async () => {
    const wrong: string[] = [];
    for (const op of all.filter((o) => o.auth !== 'public')) {
      const { status } = await answer(op);
      if (status !== 401) wrong.push(`${op.service} ${op.method} ${op.path}: ${status}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('with the wrong kind of token or scope: 403, naming why', async () => {
    const wrong: string[] = [];
    const expect = (op: Operation, got: { status: number; name?: string }, status: number, name: string) => {
      if (got.status !== status || got.name !== name)
        wrong.push(`${op.service} ${op.method} ${op.path}: ${got.status} ${got.name} (expected ${status} ${name})`);
    };
    for (const op of all) {
      if (typeof op.auth === 'object') {
        expect(op, await answer(op, admin), 403, 'service-token-required');
        const other = nonHolder(op.service, op.auth.service);
        if (other) expect(op, await answer(op, await serviceToken(other, op.service)), 403, 'insufficient-scope');
      } else if (op.auth === 'admin') {
        expect(op, await answer(op, customer), 403, 'forbidden');
      }
      if (op.auth === 'user' || op.auth === 'admin') {
        // A service token the lab can get at this service, if any, is not a person's.
        const client = Object.keys(grants).find((c) => grants[c]?.[op.service]);
        if (client) expect(op, await answer(op, await serviceToken(client, op.service)), 403, 'user-token-required');
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('a service token for another service is not valid here (401)', async () => {
    const forPayment = await serviceToken('order', 'payment');
    const reserve = all.find((op) => op.service === 'product' && op.method === 'POST' && op.path === '/v1/reservations') as Operation;
    assert.equal((await answer(reserve, forPayment)).status, 401);
  });

  it('with the right token: admitted (past auth, to validation or the handler) on every route', async () => {
    const wrong: string[] = [];
    for (const op of all) {
      let token: string | undefined;
      if (typeof op.auth === 'object') token = await serviceToken(holder(op.service, op.auth.service) as string, op.service);
      else if (op.auth === 'admin') token = admin;
      else if (op.auth === 'user') token = customer;
      const got = await answer(op, token);
      if (got.status === 401 || got.status === 403 || got.status >= 500) wrong.push(`${op.service} ${op.method} ${op.path}: ${got.status} ${got.name}`);
    }
    assert.deepEqual(wrong, []);
  });
});
