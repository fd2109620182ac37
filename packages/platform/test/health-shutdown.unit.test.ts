import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startService } from './support.js';

describe('health and graceful shutdown', () => {
  it('is ready while its checks pass and names the failing check with 503 otherwise', async () => {
    let brokerUp = true;
    const lab = await startService((_app, kit) => {
      kit.health.addCheck('database', async () => true);
      kit.health.addCheck('broker', async () => {
        if (!brokerUp) throw new Error('connection refused');
      });
    });
    try {
      const ready = await fetch(`${lab.url}/health/ready`);
      assert.equal(ready.status, 200);
      brokerUp = false;
      const notReady = await fetch(`${lab.url}/health/ready`);
      assert.equal(notReady.status, 503);
      const body = (await notReady.json()) as { checks: Record<string, string> };
      assert.equal(body.checks.database, 'ok');
      assert.equal(body.checks.broker, 'failed: connection refused');
      assert.equal((await fetch(`${lab.url}/health/live`)).status, 200);
    } finally {
      await lab.close();
    }
  });

  it('waits for an in-flight request to finish, turning not-ready meanwhile, then runs its hooks in order', async () => {
    const order: string[] = [];
    const lab = await startService((app, kit) => {
      app.get('/slow', async (_req, res) => {
        await sleep(600);
        order.push('request finished');
        res.json({ done: true });
      });
      kit.shutdown.onShutdown('consumers', () => order.push('consumers stopped'));
      kit.shutdown.onShutdown('database', () => order.push('database closed'));
    });
    const slow = fetch(`${lab.url}/slow`);
    await sleep(100);
    assert.equal(lab.service.shutdown.requestsInFlight, 1);
    const shutdown = lab.service.shutdown.run();
    await sleep(50);
    assert.equal(lab.service.health.isDraining, true);
    const response = await slow;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { done: true });
    await shutdown;
    assert.deepEqual(order, ['request finished', 'consumers stopped', 'database closed']);
    await assert.rejects(fetch(`${lab.url}/health/live`), /fetch failed/);
  });

  it('gives up at the hard deadline when a request never finishes', async () => {
    const lab = await startService(
      (app) => {
        app.get('/hang', () => new Promise(() => {}));
      },
      { SHUTDOWN_TIMEOUT_MS: '300' },
    );
    void fetch(`${lab.url}/hang`).catch(() => undefined);
    await sleep(100);
    const started = Date.now();
    await assert.rejects(lab.service.shutdown.run(), /deadline of 300 ms/);
    assert.ok(Date.now() - started < 1000);
    lab.server.closeAllConnections();
  });
});
