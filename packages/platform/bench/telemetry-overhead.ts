import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, '../test/fixtures/traced-service.ts');
const preload = path.join(here, '../src/telemetry/preload.ts');

export interface ThroughputResult {
  label: string;
  requestsPerSec: number;
  p99Ms: number;
  errors: number;
}

/** A port nothing listens on now (the system picks it), for a child service. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Start the minimal platform service in a child process, with or without the telemetry preload. */
async function startFixture(port: number, telemetry: boolean, otlpEndpoint: string | undefined): Promise<ChildProcess> {
  const args = ['--import', 'tsx', ...(telemetry ? ['--import', preload] : []), fixture];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      SERVICE_NAME: telemetry ? 'bench-telemetry-on' : 'bench-telemetry-off',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      OTEL_TRACES_EXPORTER: otlpEndpoint ? 'otlp' : 'none',
      ...(otlpEndpoint ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpEndpoint } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/live`)).ok) return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`the benchmark service on port ${port} did not start`);
}

async function load(url: string, seconds: number, label: string): Promise<ThroughputResult> {
  const result = await autocannon({ url, connections: 16, duration: seconds, pipelining: 1 });
  return { label, requestsPerSec: result.requests.average, p99Ms: result.latency.p99, errors: result.errors + result.non2xx };
}

/**
 * Requests/s of the same minimal service (one route that logs and makes one outgoing call) with
 * the telemetry preload on and off, measured alternately in one run so drift hits both.
 */
export async function telemetryOverhead(options: { rounds: number; seconds: number; otlpEndpoint?: string; onProgress: (line: string) => void }) {
  const [offPort, onPort] = [await freePort(), await freePort()];
  const off = await startFixture(offPort, false, undefined);
  const on = await startFixture(onPort, true, options.otlpEndpoint);
  const results: ThroughputResult[] = [];
  try {
    for (const [target, label] of [
      [offPort, 'off'],
      [onPort, 'on'],
    ] as const)
      await load(`http://127.0.0.1:${target}/v1/hello/warmup`, 2, label);
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const [target, label] of (round % 2
        ? [
            [offPort, 'off'],
            [onPort, 'on'],
          ]
        : [
            [onPort, 'on'],
            [offPort, 'off'],
          ]) as [number, string][]) {
        options.onProgress(`round ${round}/${options.rounds}: telemetry ${label}, ${options.seconds}s of load`);
        results.push(await load(`http://127.0.0.1:${target}/v1/hello/bench`, options.seconds, label));
      }
    }
  } finally {
    for (const child of [off, on]) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  const mean = (label: string, pick: (r: ThroughputResult) => number) => {
    const picked = results.filter((r) => r.label === label).map(pick);
    return picked.reduce((a, b) => a + b, 0) / picked.length;
  };
  return {
    offRps: mean('off', (r) => r.requestsPerSec),
    onRps: mean('on', (r) => r.requestsPerSec),
    offP99: mean('off', (r) => r.p99Ms),
    onP99: mean('on', (r) => r.p99Ms),
    errors: results.reduce((a, r) => a + r.errors, 0),
  };
}
