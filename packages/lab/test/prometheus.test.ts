import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { prometheusTargetsDir, prometheusUrl, promVector } from '../src/index.js';
import { eventually, lab, serve, unique } from './support.js';

describe('Prometheus (private server)', () => {
  it('scrapes a target the test serves, and /api/v1/query returns its sample', async function () {
    this.timeout(60_000);
    const marker = unique();
    const target = await serve((_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`# TYPE faultline_test_marker gauge\nfaultline_test_marker{marker="${marker}"} 42\n`);
    });
    const file = path.join(prometheusTargetsDir(lab()), `test-${marker}.json`);
    try {
      await writeFile(file, JSON.stringify([{ targets: [`127.0.0.1:${target.port}`], labels: { service: 'prometheus-test' } }]));
      const sample = await eventually('the scraped sample', async () => (await promVector(lab(), `faultline_test_marker{marker="${marker}"}`))[0], 45_000, 500);
      assert.equal(sample.value[1], '42');
      assert.equal(sample.metric.service, 'prometheus-test');
    } finally {
      await rm(file, { force: true });
      await target.close();
    }
  });

  it('accepts remote writes (the receiver k6 writes into is on)', async () => {
    // An empty remote-write request is rejected as bad input (400) when the receiver is on, and 404 when it is off.
    const response = await fetch(`${prometheusUrl(lab())}/api/v1/write`, { method: 'POST', body: '' });
    assert.equal(response.status, 400);
  });
});
