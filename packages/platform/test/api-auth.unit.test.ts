import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { serve } from '../../lab/test/support.js';
import { Api, createAuth } from '../src/index.js';
import { startService } from './support.js';

describe('API routes with schemas and OpenAPI', () => {
  let lab: Awaited<ReturnType<typeof startService>>;
  before(async () => {
    lab = await startService((app) => {
      const api = new Api(app, { title: 'widgets', version: '1.0.0' });
      api.route(
        {
          method: 'get',
          path: '/v1/widgets/:id',
          summary: 'Get a widget',
          auth: 'public',
          params: z.object({ id: z.uuid() }),
          query: z.object({ fields: z.enum(['all', 'name']).default('all') }),
          responses: { 200: { description: 'the widget', schema: z.object({ id: z.string(), fields: z.string() }) }, 400: { description: 'bad input' } },
        },
        ({ params, query }) => ({ status: 200, body: { id: params.id, fields: query.fields } }),
      );
      api.route(
        {
          method: 'post',
          path: '/v1/widgets',
          summary: 'Create a widget',
          auth: 'public',
          body: z.object({ name: z.string().min(1).max(50), size: z.number().int().min(1).max(10) }),
          responses: { 201: { description: 'created' } },
        },
        ({ body }) => ({ status: 201, body, headers: { location: '/v1/widgets/1' } }),
      );
      api.route(
        {
          method: 'post',
          path: '/v1/widgets/:id/orders',
          summary: 'Order a widget once',
          auth: 'public',
          idempotencyKey: true,
          params: z.object({ id: z.string() }),
          responses: { 201: { description: 'ordered' } },
        },
        ({ idempotencyKey }) => ({ status: 201, body: { idempotencyKey } }),
      );
    });
  });
  after(() => lab.close());

  it('validates path and query and applies defaults', async () => {
    const ok = await fetch(`${lab.url}/v1/widgets/0b0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c11`);
    assert.deepEqual(await ok.json(), { id: '0b0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c11', fields: 'all' });
    const badId = await fetch(`${lab.url}/v1/widgets/not-a-uuid`);
    assert.equal(badId.status, 400);
    const problem = (await badId.json()) as { name: string; issues: { in: string; path: string; message: string }[] };
    assert.equal(problem.name, 'validation-failed');
    assert.deepEqual(problem.issues[0], { in: 'path', path: 'id', message: problem.issues[0]?.message });
  });

  it('rejects an out-of-range body field, naming it', async () => {
    const response = await fetch(`${lab.url}/v1/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', size: 11 }),
    });
    assert.equal(response.status, 400);
    const problem = (await response.json()) as { detail: string };
    assert.match(problem.detail, /size/);
    const created = await fetch(`${lab.url}/v1/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', size: 3 }),
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/v1/widgets/1');
  });

  it('a route declaring idempotencyKey requires the header, hands it to the handler and documents it', async () => {
    const order = (headers: Record<string, string>) => fetch(`${lab.url}/v1/widgets/w1/orders`, { method: 'POST', headers });
    const missing = await order({});
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { name: string }).name, 'idempotency-key-missing');
    const tooLong = await order({ 'idempotency-key': 'k'.repeat(256) });
    assert.equal(((await tooLong.json()) as { name: string }).name, 'idempotency-key-invalid');
    const placed = await order({ 'idempotency-key': 'order-7' });
    assert.deepEqual([placed.status, await placed.json()], [201, { idempotencyKey: 'order-7' }]);
    const doc = (await (await fetch(`${lab.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string; required?: boolean; schema?: { maxLength?: number } }[];
            responses?: Record<string, { description: string }>;
          }
        >
      >;
    };
    const operation = doc.paths['/v1/widgets/{id}/orders']?.post;
    const header = operation?.parameters?.find((p) => p.in === 'header');
    assert.deepEqual([header?.name, header?.required, header?.schema?.maxLength], ['Idempotency-Key', true, 255]);
    assert.match(operation?.responses?.['400']?.description ?? '', /validation-failed.*idempotency-key-missing or idempotency-key-invalid/);
  });

  it('serves an OpenAPI 3.1 document generated from the same schemas, and a docs page', async () => {
    const doc = (await (await fetch(`${lab.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown; responses?: Record<string, unknown> }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(
      doc.paths['/v1/widgets/{id}']?.get?.parameters?.map((p) => `${p.in}:${p.name}`),
      ['path:id', 'query:fields'],
    );
    assert.ok(doc.paths['/v1/widgets']?.post?.requestBody);
    // The platform's own 400 is documented wherever it validates input, without each route saying so.
    assert.deepEqual(Object.keys(doc.paths['/v1/widgets']?.post?.responses ?? {}).sort(), ['201', '400']);
    const page = await (await fetch(`${lab.url}/docs`)).text();
    assert.match(page, /\/v1\/widgets\/\{id\}/);
  });
});

describe('declared route auth, enforced by the platform', () => {
  it('admits exactly what each route declares: public, user, admin, or a service scope', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const foreign = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    const sign = (key: typeof privateKey, claims: Record<string, unknown>, { expiry = '5m', audience = 'faultline', subject = 'u-1' } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject(subject)
        .setIssuer('faultline-user')
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(expiry)
        .sign(key);
    const service = (scope: string, audience = 'widgets') => sign(privateKey, { token_use: 'service', scope }, { audience, subject: 'order' });
    const auth = createAuth({ jwksUrl: `${jwks.url}/.well-known/jwks.json`, issuer: 'faultline-user', audience: 'faultline', serviceAudience: 'widgets' });
    const lab = await startService((app) => {
      const api = new Api(app, { title: 'widgets', version: '1.0.0' }, auth);
      const echo = ({ req }: { req: { principal?: unknown } }) => ({ status: 200, body: req.principal ?? null });
      api.route({ method: 'get', path: '/v1/open', summary: 'open', auth: 'public', responses: { 200: { description: 'ok' } } }, echo);
      api.route({ method: 'get', path: '/v1/me', summary: 'me', auth: 'user', responses: { 200: { description: 'ok' } } }, echo);
      api.route({ method: 'get', path: '/v1/admin', summary: 'admin', auth: 'admin', responses: { 200: { description: 'ok' } } }, echo);
      api.route(
        { method: 'post', path: '/v1/charges', summary: 'internal', auth: { service: 'widgets:charge' }, responses: { 200: { description: 'ok' } } },
        echo,
      );
    });
    try {
      const call = async (path: string, token?: string) => {
        const response = await fetch(`${lab.url}${path}`, {
          method: path === '/v1/charges' ? 'POST' : 'GET',
          ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        });
        const body = (await response.json()) as { name?: string } | null;
        return { status: response.status, name: body?.name, body, challenge: response.headers.get('www-authenticate') };
      };
      const customer = await sign(privateKey, { roles: ['customer'] });
      const admin = await sign(privateKey, { roles: ['customer', 'admin'] });

      assert.equal((await call('/v1/open')).status, 200);
      const me = await call('/v1/me', customer);
      assert.equal(me.status, 200);
      assert.deepEqual(me.body, { kind: 'user', userId: 'u-1', roles: ['customer'], scopes: [] });
      const anonymous = await call('/v1/me');
      assert.deepEqual([anonymous.status, anonymous.challenge], [401, 'Bearer realm="faultline"'], 'a 401 says which scheme to use');
      const expired = await call('/v1/me', await sign(privateKey, { roles: [] }, { expiry: '-1m' }));
      assert.deepEqual([expired.status, expired.challenge], [401, 'Bearer realm="faultline", error="invalid_token"']);
      assert.equal(customer && (await call('/v1/me', customer)).challenge, null, 'no challenge on success');
      assert.equal((await call('/v1/me', await sign(foreign.privateKey, { roles: ['admin'] }))).status, 401);
      assert.equal((await call('/v1/me', await sign(privateKey, { roles: [] }, { audience: 'elsewhere' }))).status, 401);
      const serviceOnUserRoute = await call('/v1/me', await service('widgets:charge'));
      assert.deepEqual([serviceOnUserRoute.status, serviceOnUserRoute.name], [403, 'user-token-required']);
      assert.equal((await call('/v1/admin', customer)).name, 'forbidden');
      assert.equal((await call('/v1/admin', admin)).status, 200);

      assert.equal((await call('/v1/charges')).status, 401);
      const asCustomer = await call('/v1/charges', admin);
      assert.deepEqual([asCustomer.status, asCustomer.name], [403, 'service-token-required']);
      const wrongScope = await call('/v1/charges', await service('widgets:refund'));
      assert.deepEqual([wrongScope.status, wrongScope.name], [403, 'insufficient-scope']);
      assert.equal((await call('/v1/charges', await service('widgets:charge', 'payment'))).status, 401, 'a token for another service');
      const admitted = await call('/v1/charges', await service('widgets:charge'));
      assert.equal(admitted.status, 200);
      assert.deepEqual(admitted.body, { kind: 'service', userId: 'order', roles: [], scopes: ['widgets:charge'] });

      const doc = (await (await fetch(`${lab.url}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { 'x-auth': unknown; responses: Record<string, unknown> }>>;
      };
      assert.deepEqual(doc.paths['/v1/charges']?.post?.['x-auth'], { service: 'widgets:charge' });
      assert.deepEqual(Object.keys(doc.paths['/v1/admin']?.get?.responses ?? {}).sort(), ['200', '401', '403']);
      assert.deepEqual(Object.keys(doc.paths['/v1/open']?.get?.responses ?? {}), ['200']);
    } finally {
      await lab.close();
      await jwks.close();
    }
  });

  it('refuses to register a guarded route on an Api without a token verifier', async () => {
    const lab = await startService((app) => {
      const api = new Api(app, { title: 'bare', version: '1.0.0' });
      assert.throws(
        () => api.route({ method: 'get', path: '/v1/x', summary: 'x', auth: 'user', responses: { 200: { description: 'ok' } } }, () => ({ status: 200 })),
        /no token verifier/,
      );
    });
    await lab.close();
  });
});
