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
          body: z.object({ name: z.string().min(1).max(50), size: z.number().int().min(1).max(10) }),
          responses: { 201: { description: 'created' } },
        },
        ({ body }) => ({ status: 201, body, headers: { location: '/v1/widgets/1' } }),
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

  it('serves an OpenAPI 3.1 document generated from the same schemas, and a docs page', async () => {
    const doc = (await (await fetch(`${lab.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(
      doc.paths['/v1/widgets/{id}']?.get?.parameters?.map((p) => `${p.in}:${p.name}`),
      ['path:id', 'query:fields'],
    );
    assert.ok(doc.paths['/v1/widgets']?.post?.requestBody);
    const page = await (await fetch(`${lab.url}/docs`)).text();
    assert.match(page, /\/v1\/widgets\/\{id\}/);
  });
});

describe('token verification against a JWKS', () => {
  it('accepts a valid RS256 token, refuses expired, foreign and missing ones, and enforces roles', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const foreign = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    const sign = (key: typeof privateKey, claims: Record<string, unknown>, expiry = '5m') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject('u-1')
        .setIssuer('faultline-user')
        .setAudience('faultline')
        .setIssuedAt()
        .setExpirationTime(expiry)
        .sign(key);
    const auth = createAuth({ jwksUrl: `${jwks.url}/.well-known/jwks.json`, issuer: 'faultline-user', audience: 'faultline' });
    const lab = await startService((app) => {
      app.get('/v1/me', auth.authenticate, (req, res) => {
        res.json(req.principal);
      });
      app.get('/v1/admin', auth.authenticate, auth.requireRole('admin'), (_req, res) => {
        res.json({ ok: true });
      });
    });
    try {
      const call = (path: string, token?: string) => fetch(`${lab.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      const customer = await sign(privateKey, { roles: ['customer'] });
      const me = await call('/v1/me', customer);
      assert.equal(me.status, 200);
      assert.deepEqual(await me.json(), { userId: 'u-1', roles: ['customer'] });
      assert.equal((await call('/v1/me')).status, 401);
      assert.equal((await call('/v1/me', await sign(privateKey, { roles: [] }, '-1m'))).status, 401);
      assert.equal((await call('/v1/me', await sign(foreign.privateKey, { roles: ['admin'] }))).status, 401);
      const forbidden = await call('/v1/admin', customer);
      assert.equal(forbidden.status, 403);
      assert.equal(((await forbidden.json()) as { name: string }).name, 'forbidden');
      assert.equal((await call('/v1/admin', await sign(privateKey, { roles: ['admin'] }))).status, 200);
    } finally {
      await lab.close();
      await jwks.close();
    }
  });
});
