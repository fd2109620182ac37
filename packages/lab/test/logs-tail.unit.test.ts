import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { linesBackwards, parseSince, showLogs } from '../src/topology/logs.js';

const ecs = (time: string, service: string, message: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ '@timestamp': time, 'log.level': 'info', message, service: { name: service }, ...extra });

describe('faultline logs: tail, since and the gateway', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'faultline-tail-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads lines from the end across chunk boundaries, multi-byte characters intact', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} → ${'é'.repeat(i % 50)}`);
    const file = path.join(dir, 'x.log');
    await writeFile(file, `${lines.join('\n')}\n`);
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(file));
    const back: string[] = [];
    for await (const line of linesBackwards(file, size)) back.push(line);
    assert.deepEqual(back.reverse(), lines);
  });

  it('with -n shows the last n matching lines of all files merged by time; --since cuts by time', async () => {
    const order = Array.from({ length: 50 }, (_, i) => ecs(`2026-01-01T10:00:${String(i).padStart(2, '0')}.000Z`, 'order', `order ${i}`));
    await writeFile(path.join(dir, 'order.log'), `${order.join('\n')}\n`);
    await writeFile(
      path.join(dir, 'gateway.access.log'),
      `${ecs('2026-01-01T10:00:48.500Z', 'gateway', 'GET /api/orders 200', { http: { request: { id: 'req-1' } }, event: { duration: 0.012 }, trace: { id: 'abc' } })}\n`,
    );
    const printed: string[] = [];
    const shown = await showLogs(dir, {}, { tail: 3, print: (l) => printed.push(stripVTControlCharacters(l)) });
    assert.equal(shown, 3);
    assert.deepEqual(
      printed.map((l) => l.replace(/^\S+ (\S+) +info +(.*?)( requestId.*)?$/, '$1: $2')),
      ['order: order 48', 'gateway: GET /api/orders 200', 'order: order 49'],
    );
    assert.match(printed[1] ?? '', /requestId=req-1 ms=12 trace=abc$/);
    const since: string[] = [];
    await showLogs(dir, { service: 'order' }, { since: Date.parse('2026-01-01T10:00:45.000Z'), print: (l) => since.push(l) });
    assert.equal(since.length, 5);
  });

  it('understands 30s, 5m, 2h, 1d and ISO times, and nothing else', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    assert.equal(parseSince('5m', now), now - 300_000);
    assert.equal(parseSince('2h', now), now - 7_200_000);
    assert.equal(parseSince('2026-01-01T11:00:00Z', now), Date.parse('2026-01-01T11:00:00Z'));
    assert.equal(parseSince('yesterday', now), undefined);
    assert.equal(parseSince('5', now), undefined);
  });
});
