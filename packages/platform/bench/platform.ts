/**
 * `npm run bench:platform` — what the platform kit costs, measured side by side in one run:
 * requests/s of a minimal service with telemetry on vs off, the added cost per call of a full
 * policy stack, and outbox relay throughput with pipelined vs one-by-one confirms.
 */

import { loadavg } from 'node:os';
import { infraUp, jaegerOtlpUrl, loadConfig } from '@faultline/lab';
import { Command } from 'commander';
import { tokenCheckCost, transportCost } from './http-transport.js';
import { outboxThroughput } from './outbox-throughput.js';
import { policyCost } from './policy-cost.js';
import { telemetryOverhead } from './telemetry-overhead.js';

const options = new Command('bench:platform')
  .description('benchmark the platform kit against the real lab infrastructure (loopback only, bounded)')
  .option('--seconds <n>', 'seconds of load per measurement', (v) => Number(v), 5)
  .option('--rounds <n>', 'alternating rounds per comparison', (v) => Number(v), 2)
  .option('--events <n>', 'outbox events per measurement', (v) => Number(v), 2000)
  .option('--calls <n>', 'policy calls per measurement', (v) => Number(v), 50_000)
  .parse()
  .opts<{ seconds: number; rounds: number; events: number; calls: number }>();

const say = (line: string) => console.log(`  … ${line}`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const cfg = loadConfig();
console.log('bench:platform — starting the lab infrastructure (idempotent)');
await infraUp(cfg, { only: ['postgres', 'rabbitmq', 'jaeger'], renderer: 'simple' });

console.log('\n1/5 telemetry on vs off (minimal service: one route, one log line, one outgoing call)');
const telemetry = await telemetryOverhead({ rounds: options.rounds, seconds: options.seconds, otlpEndpoint: jaegerOtlpUrl(cfg), onProgress: say });
console.log('\n2/5 policy stack cost per call');
const policy = await policyCost({ calls: options.calls, rounds: options.rounds, onProgress: say });
console.log('\n3/5 outbox relay throughput');
const outbox = await outboxThroughput({ events: options.events, rounds: options.rounds, onProgress: say });
console.log('\n4/5 HTTP client transport: fetch vs node:http');
const transport = await transportCost({ calls: 2000, rounds: options.rounds });
console.log('\n5/5 bearer token check: verified every time vs remembered');
const token = await tokenCheckCost({ calls: 2000, rounds: options.rounds });

console.log(`
results (${options.rounds} alternating rounds each; loopback; ${new Date().toISOString()})
  telemetry off        ${fmt(telemetry.offRps)} req/s   p99 ${fmt(telemetry.offP99, 1)} ms
  telemetry on         ${fmt(telemetry.onRps)} req/s   p99 ${fmt(telemetry.onP99, 1)} ms   (exporting to Jaeger)
  ratio on/off         ${fmt(telemetry.onRps / telemetry.offRps, 2)}×  (${telemetry.errors} errors)
  bare call            ${fmt(policy.bareNsPerCall)} ns/call
  policy mode off      ${fmt(policy.offNsPerCall)} ns/call   (+${fmt(policy.offNsPerCall - policy.bareNsPerCall)} ns: metrics only)
  policy mode on       ${fmt(policy.onNsPerCall)} ns/call   (+${fmt(policy.onNsPerCall - policy.bareNsPerCall)} ns: bulkhead, retry, breaker, timeout, metrics)
  outbox pipelined     ${fmt(outbox.pipelinedPerSec)} events/s   (batches of 500, two at once, confirms awaited together)
  outbox one by one    ${fmt(outbox.oneByOnePerSec)} events/s   (batches of 500, one publish and confirm at a time)
  ratio                ${fmt(outbox.pipelinedPerSec / outbox.oneByOnePerSec, 2)}×  (${outbox.events} events per measurement)
  amqplib alone        ${fmt(outbox.barePipelinedPerSec)} vs ${fmt(outbox.bareOneByOnePerSec)} msg/s   (${fmt(outbox.barePipelinedPerSec / outbox.bareOneByOnePerSec, 2)}×: the ceiling, no database, no spans)
  HTTP POST, fetch     ${fmt(transport.before, 1)} µs CPU/call
  HTTP POST, node:http ${fmt(transport.after, 1)} µs CPU/call   (${fmt(transport.before / transport.after, 2)}× cheaper; client and loopback server)
  token, verified      ${fmt(token.before, 1)} µs CPU/call   (RS256 every time)
  token, remembered    ${fmt(token.after, 1)} µs CPU/call   (${fmt(token.before / token.after, 0)}× cheaper)
  load average         ${loadavg()
    .map((l) => fmt(l, 2))
    .join(' ')}
`);
process.exit(0);
