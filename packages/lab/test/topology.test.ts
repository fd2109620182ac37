import assert from 'node:assert/strict';
import pg from 'pg';
import { toxiproxyUrl } from '../src/index.js';
import { serviceEnvironment } from '../src/topology/environment.js';
import { provisionDatabases, servicePasswords } from '../src/topology/provision.js';
import { applyProxies, proxyConfig } from '../src/topology/proxies.js';
import { edges, SERVICE_NAMES } from '../src/topology/topology.js';
import { lab } from './support.js';

describe('topology', () => {
  it('names every edge <from>__<to>, each on its own port, including the edges chaos experiments use', () => {
    const list = edges(lab().ports['proxy-base']);
    for (const name of ['order__payment', 'order__product', 'payment__providers', 'notification__providers', 'order__postgres', 'notification__rabbitmq']) {
      assert.ok(
        list.some((e) => e.name === name),
        `missing edge ${name}`,
      );
    }
    assert.equal(new Set(list.map((e) => e.listenPort)).size, list.length);
    assert.ok(list.every((e) => e.name === `${e.from}__${e.to}`));
  });

  it('gives each service an environment that reaches every dependency through its own proxy', () => {
    const cfg = lab();
    const passwords = Object.fromEntries(SERVICE_NAMES.map((n) => [n, `pw-${n}`])) as Record<(typeof SERVICE_NAMES)[number], string>;
    const env = serviceEnvironment(cfg, 'order', { passwords });
    const port = (name: string) => edges(cfg.ports['proxy-base']).find((e) => e.name === name)?.listenPort;
    assert.equal(env.PAYMENT_URL, `http://127.0.0.1:${port('order__payment')}`);
    assert.equal(env.PRODUCT_URL, `http://127.0.0.1:${port('order__product')}`);
    assert.equal(env.DATABASE_URL, `postgres://order:pw-order@127.0.0.1:${port('order__postgres')}/order`);
    assert.equal(env.AMQP_URL, `amqp://guest:guest@127.0.0.1:${port('order__rabbitmq')}`);
    assert.equal(env.JWKS_URL, `http://127.0.0.1:${port('order__user')}/.well-known/jwks.json`);
    assert.equal(env.PORT, String(cfg.ports.order));
    assert.equal(serviceEnvironment(cfg, 'providers', { passwords }).AMQP_URL, undefined);
  });

  it('gives the user service every client credential and each client only its own, with the token URL through its edge', () => {
    const cfg = lab();
    const passwords = Object.fromEntries(SERVICE_NAMES.map((n) => [n, `pw-${n}`])) as Parameters<typeof serviceEnvironment>[2]['passwords'];
    const clients = { order: 'order-secret-0123456789', lab: 'lab-secret-0123456789' };
    const port = (name: string) => edges(cfg.ports['proxy-base']).find((e) => e.name === name)?.listenPort;
    const user = serviceEnvironment(cfg, 'user', { passwords, clients });
    assert.deepEqual(JSON.parse(user.SERVICE_CLIENTS ?? '{}'), clients);
    assert.ok(Number(user.AUTH_LIMIT_PER_ADDRESS) >= 100_000, 'all the load of the lab comes from 127.0.0.1');
    const order = serviceEnvironment(cfg, 'order', { passwords, clients });
    assert.equal(order.SERVICE_CLIENT_SECRET, clients.order);
    assert.equal(order.SERVICE_TOKEN_URL, `http://127.0.0.1:${port('order__user')}/v1/oauth/token`);
    assert.equal(order.SERVICE_CLIENTS, undefined);
    const payment = serviceEnvironment(cfg, 'payment', { passwords, clients });
    assert.equal(payment.SERVICE_CLIENT_SECRET, undefined, 'payment calls no internal route');
  });

  it('creates every proxy in Toxiproxy, idempotently, and clears toxics left on its edges', async () => {
    const cfg = lab();
    assert.equal(await applyProxies(cfg), proxyConfig(cfg).length);
    await fetch(`${toxiproxyUrl(cfg)}/proxies/order__payment/toxics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'leftover', type: 'latency', attributes: { latency: 1000 } }),
    });
    await applyProxies(cfg);
    const proxies = (await (await fetch(`${toxiproxyUrl(cfg)}/proxies`)).json()) as Record<string, { upstream: string; listen: string; toxics: unknown[] }>;
    assert.equal(proxies.order__payment?.upstream, `127.0.0.1:${cfg.ports.payment}`);
    assert.equal(proxies.payment__postgres?.upstream, `127.0.0.1:${cfg.ports.postgres}`);
    assert.deepEqual(proxies.order__payment?.toxics, []);
  });

  it("gives each service its own database and role, and a service's role cannot connect to another's database", async function () {
    this.timeout(30_000);
    const cfg = lab();
    await provisionDatabases(cfg, ['order', 'payment']);
    const passwords = await servicePasswords(cfg);
    const connect = async (user: string, database: string) => {
      const client = new pg.Client({ host: '127.0.0.1', port: cfg.ports.postgres, user, password: passwords[user as 'order'], database });
      await client.connect();
      await client.end();
    };
    await connect('order', 'order');
    await assert.rejects(connect('order', 'payment'), /permission denied for database "payment"/);
    await assert.rejects(connect('payment', 'order'), /permission denied for database "order"/);
  });
});
