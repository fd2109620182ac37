import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { run } from '../src/proc.js';
import { gatewayRoutes, nginxConfig } from '../src/topology/gateway.js';
import { showLogs } from '../src/topology/logs.js';
import { lab } from './support.js';

describe('native gateway', () => {
  it('routes every public prefix to its service through the gateway edge, and nginx accepts the config', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'faultline-gw-'));
    const cfg = { ...lab(), stateDir };
    try {
      const routes = gatewayRoutes(cfg);
      assert.deepEqual(
        routes.map((r) => `${r.prefix}→${r.service}`),
        [
          'users→user',
          'auth→user',
          'products→product',
          'cart→order',
          'orders→order',
          'payments/history→payment',
          'ledger→payment',
          'notifications→notification',
        ],
      );
      assert.ok(routes.every((r) => r.upstreamPort >= cfg.ports['proxy-base']));
      for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(path.join(stateDir, 'gateway', 'tmp', sub), { recursive: true });
      await mkdir(path.join(stateDir, 'logs'), { recursive: true });
      const file = path.join(stateDir, 'nginx.conf');
      await writeFile(file, nginxConfig(cfg, undefined));
      const result = await run('nginx', ['-t', '-c', file, '-p', stateDir, '-e', path.join(stateDir, 'logs', 'error.log')]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /syntax is ok/);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe('faultline logs', () => {
  it('merges the services’ ECS logs by time and filters by service and trace', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-logs-'));
    try {
      const line = (time: string, service: string, message: string, trace?: string) =>
        JSON.stringify({
          '@timestamp': time,
          'log.level': 'info',
          message,
          service: { name: service },
          ...(trace ? { trace: { id: trace } } : {}),
          orderId: 'o-1',
        });
      await writeFile(
        path.join(dir, 'order.log'),
        `${line('2026-01-01T10:00:01.000Z', 'order', 'order placed', 'aaa')}\n${line('2026-01-01T10:00:03.000Z', 'order', 'order confirmed', 'aaa')}\n`,
      );
      await writeFile(
        path.join(dir, 'payment.log'),
        `${line('2026-01-01T10:00:02.000Z', 'payment', 'charge captured', 'aaa')}\nnot json\n${line('2026-01-01T10:00:04.000Z', 'payment', 'other', 'bbb')}\n`,
      );
      const printed: string[] = [];
      const count = await showLogs(dir, { traceId: 'aaa' }, { print: (l) => printed.push(l) });
      assert.equal(count, 3);
      assert.deepEqual(
        printed.map((l) => stripVTControlCharacters(l).match(/(order placed|charge captured|order confirmed)/)?.[1]),
        ['order placed', 'charge captured', 'order confirmed'],
      );
      const payment: string[] = [];
      await showLogs(dir, { service: 'payment' }, { print: (l) => payment.push(l) });
      assert.equal(payment.length, 2);
      assert.match(payment[0] ?? '', /orderId=o-1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
