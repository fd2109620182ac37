import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binPath } from '../src/index.js';
import { run } from '../src/proc.js';
import { lab, serve } from './support.js';

const script = `
import http from 'k6/http';
import { check } from 'k6';
export const options = {
  vus: 2,
  iterations: 20,
  thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<500'] },
};
export default function () {
  const res = http.get(__ENV.TARGET);
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`;

describe('k6 (built from its Go module)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'faultline-k6-'));
    await writeFile(path.join(dir, 'script.js'), script);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const k6 = (target: string) =>
    run(binPath(lab().toolsDir, 'k6'), ['run', '--quiet', '--no-color', '--no-usage-report', '-e', `TARGET=${target}`, path.join(dir, 'script.js')], {
      env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
      timeoutMs: 60_000,
    });

  it('passes its thresholds against a healthy local server', async () => {
    let hits = 0;
    const server = await serve((_req, res) => {
      hits += 1;
      res.end('ok');
    });
    try {
      const result = await k6(server.url);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(hits, 20);
    } finally {
      await server.close();
    }
  });

  it('exits 99 when a threshold fails', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('broken');
    });
    try {
      const result = await k6(server.url);
      assert.equal(result.code, 99, `k6 exited ${result.code}: ${result.stderr}`);
      assert.match(`${result.stdout}${result.stderr}`, /thresholds on metrics 'http_req_failed'.*have been crossed/s);
    } finally {
      await server.close();
    }
  });
});
