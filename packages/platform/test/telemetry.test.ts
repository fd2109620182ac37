import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jaegerQueryUrl, jaegerThriftUrl } from '@faultline/lab';
import { eventually, lab, unique } from '../../lab/test/support.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface JaegerTrace {
  spans: { operationName: string; spanID: string; processID: string; references: { refType: string; spanID: string }[] }[];
  processes: Record<string, { serviceName: string }>;
}

describe('telemetry preload (a real service process exporting to Jaeger)', function () {
  this.timeout(60_000);
  const service = `traced-${unique()}`;
  let child: ChildProcess;
  const lines: Record<string, unknown>[] = [];
  let url = '';

  before(async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', path.join(here, '../src/telemetry/preload.ts'), path.join(here, 'fixtures/traced-service.ts')],
      {
        env: { ...process.env, SERVICE_NAME: service, PORT: '0', OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_JAEGER_ENDPOINT: jaegerThriftUrl(lab()) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    const listening = await eventually('the service to listen', async () => lines.find((l) => l.message === 'service listening'), 30_000, 100);
    url = `http://127.0.0.1:${(listening.server as { port: number }).port}`;
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('puts the request trace.id on log lines written inside the request, and one trace in Jaeger holds the server span, the client span and the called server span', async () => {
    const response = await fetch(`${url}/v1/hello/ada`);
    assert.deepEqual(await response.json(), { hello: 'ada', selfCheck: 200 });
    const logged = await eventually('the log line', async () => lines.find((l) => l.message === 'greeting requested'), 5000, 50);
    const traceId = (logged.trace as { id: string } | undefined)?.id;
    assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
    assert.match(String((logged.span as { id: string }).id), /^[0-9a-f]{16}$/);

    const trace = await eventually('the trace in Jaeger', async () => {
      const res = await fetch(`${jaegerQueryUrl(lab())}/api/traces/${traceId}`);
      if (!res.ok) return undefined;
      const found = ((await res.json()) as { data: JaegerTrace[] }).data[0];
      // Wait until the server span of the request and the outgoing fetch span are both in.
      return found?.spans.some((s) => s.operationName === 'GET /v1/ping') ? found : undefined;
    });
    const names = trace.spans.map((s) => s.operationName);
    assert.ok(names.includes('GET /v1/hello/:name'), `server span by route: ${names.join(', ')}`);
    const client = trace.spans.find((s) => s.operationName === 'GET self');
    const server = trace.spans.find((s) => s.operationName === 'GET /v1/ping');
    assert.ok(client, `client span of the HTTP client: ${names.join(', ')}`);
    assert.deepEqual(
      server?.references.map((r) => r.spanID),
      [client.spanID],
      'the called server span is a child of the client span',
    );
    assert.ok(Object.values(trace.processes).every((p) => p.serviceName === service));
  });

  it('attaches the trace id as an exemplar when scraped as OpenMetrics, and not in Prometheus text', async () => {
    await fetch(`${url}/v1/hello/grace`);
    const openMetrics = await (await fetch(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })).text();
    assert.match(openMetrics, /http_server_requests_seconds_bucket\{[^}]*route="\/v1\/hello\/:name"[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}"\}/);
    const prometheusText = await (await fetch(`${url}/metrics`)).text();
    assert.doesNotMatch(prometheusText, /trace_id=/);
    assert.match(prometheusText, /# TYPE process_cpu_user_seconds_total counter/);
    // Spans this process exported (the previous test's), for benchmarks to hold against what Jaeger accepted.
    assert.match(prometheusText, /^telemetry_spans_total\{outcome="exported"[^}]*\} [1-9]\d*$/m);
  });

  it('shuts down on SIGTERM: drains, flushes telemetry and exits 0', async () => {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.ok(lines.some((l) => l.message === 'shutdown complete'));
  });
});
