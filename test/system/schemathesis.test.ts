import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { PYTHON_TOOLS, pythonToolPath } from '@faultline/lab';
import { run } from '../../packages/lab/src/proc.js';
import { serviceTokenFor } from '../../packages/lab/src/topology/admin.js';
import { adminToken } from '../../packages/lab/src/topology/audit.js';
import { serviceUrl } from '../../packages/lab/src/topology/services.js';
import { SERVICE_NAMES, type ServiceName } from '../../packages/lab/src/topology/topology.js';
import { cfg, ensureShop, newCustomer } from './lab.js';

type RouteAuth = 'public' | 'user' | 'admin' | { service: string };
interface OpenApiDoc {
  paths: Record<string, Record<string, { 'x-auth'?: RouteAuth }>>;
}

/** The checks Schemathesis runs (their names in 4.32.5): no 5xx answer, and no status the document does not declare. */
const CHECKS = 'not_a_server_error,status_code_conformance';
/**
 * Test cases per operation, with a fixed seed: the same cases every run. The documents' examples
 * and fuzzing (positive and negative cases) run; the coverage phase does not: it ignores this
 * bound and took three and a half times as long for the same answers.
 */
const MAX_EXAMPLES = 10;
const SEED = 14;
const HOOKS = path.join(import.meta.dirname, 'schemathesis-hooks.py');
const CONFIG = path.join(import.meta.dirname, 'schemathesis.toml');

/**
 * Writes fuzzed only as refused, each with a token its route refuses before the handler runs (a
 * customer's on admin and service routes, 403; none on customer routes, 401), so their refusals
 * are still checked against the document. Accepted, fuzz would leave records later tests trip
 * over: products priced 0 or out of stock, holds and payments for orders that do not exist,
 * refunds, an admin demoted, orders whose sagas are still running when the next test audits.
 * Every other operation reads, or writes only what the fuzz owns (a registered account, the test
 * customer's cart and profile, the stand-in provider's charges and messages).
 */
const REFUSED_ONLY: readonly string[] = [
  'user PUT /v1/users/{id}/roles',
  'product POST /v1/products',
  'product PATCH /v1/products/{id}',
  'product PUT /v1/products/{id}/stock',
  'product POST /v1/reservations',
  'product POST /v1/reservations/{id}/commit',
  'product POST /v1/reservations/{id}/release',
  'order POST /v1/orders',
  'payment POST /v1/payments',
  'payment POST /v1/payments/{id}/refund',
];

/** The operations Schemathesis warns answered only 401 or 403: a token that did not work. */
function authFailures(output: string): string[] {
  const at = output.indexOf('Authentication failed:');
  if (at < 0) return [];
  const block = output.slice(at, output.indexOf('💡', at) > 0 ? output.indexOf('💡', at) : undefined);
  return [...block.matchAll(/^ {2}- ([A-Z]+ \S+)$/gm)].map((m) => m[1] as string);
}

describe('every service answers fuzzed requests as its OpenAPI document declares (Schemathesis)', function () {
  this.timeout(240_000);
  const pin = PYTHON_TOOLS.find((p) => p.name === 'schemathesis') ?? assert.fail('no schemathesis pin');
  const schemathesis = pythonToolPath(cfg.toolsDir, pin);
  /** Per service: "METHOD /path" → the token its calls carry (none for public operations). */
  const tokens = new Map<ServiceName, Record<string, string>>();
  const kinds = new Set<string>();

  before(async () => {
    await ensureShop();
    const customer = (await newCustomer()).token;
    const admin = await adminToken(cfg);
    for (const service of SERVICE_NAMES) {
      const doc = (await (await fetch(`${serviceUrl(cfg, service)}/openapi.json`)).json()) as OpenApiDoc;
      // A service token of the order service, which holds every scope at product and payment.
      const serviceToken = Object.values(doc.paths).some((item) => Object.values(item).some((op) => typeof op['x-auth'] === 'object'))
        ? await serviceTokenFor(cfg, 'order', service)
        : undefined;
      const byOperation: Record<string, string> = {};
      for (const [p, item] of Object.entries(doc.paths))
        for (const [method, operation] of Object.entries(item)) {
          const key = `${method.toUpperCase()} ${p}`;
          const auth = operation['x-auth'];
          assert.ok(auth, `${service} ${key} declares no auth`);
          const refused = REFUSED_ONLY.includes(`${service} ${key}`);
          assert.ok(!refused || auth !== 'public', `${service} ${key} is public: it cannot be fuzzed as refused`);
          const kind = typeof auth === 'object' ? 'service' : auth;
          kinds.add(refused ? 'refused' : kind);
          const token = refused
            ? { user: undefined, admin: customer, service: customer }[kind as 'user']
            : { public: undefined, user: customer, admin, service: serviceToken }[kind];
          if (token) byOperation[key] = token;
        }
      tokens.set(service, byOperation);
    }
  });

  async function schemathesisRun(service: ServiceName): Promise<{ code: number; output: string }> {
    const url = serviceUrl(cfg, service);
    const args = ['--config-file', CONFIG, 'run', `${url}/openapi.json`, '--checks', CHECKS, '--max-examples', String(MAX_EXAMPLES), '--seed', String(SEED)];
    // One worker: schemathesis's threads crash CPython 3.11's AST parser now and then (SystemError).
    args.push('--phases', 'examples,fuzzing', '--no-shrink', '--workers', '1', '--request-timeout', '20');
    const result = await run(schemathesis, args, {
      env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: HOOKS, FAULTLINE_SCHEMATHESIS_TOKENS: JSON.stringify(tokens.get(service)) },
      timeoutMs: 180_000,
      // Schemathesis keeps a cache (.schemathesis) in its working directory: the lab's, not the repository.
      cwd: cfg.stateDir,
    });
    return { code: result.code, output: stripVTControlCharacters(`${result.stdout}\n${result.stderr}`) };
  }

  it('finds no server error and no undocumented status, with a customer, an admin and a service token', async () => {
    assert.deepEqual([...kinds].sort(), ['admin', 'public', 'refused', 'service', 'user'], 'every kind of caller is fuzzed');
    const failed: string[] = [];
    // Two services at a time: the machine is shared.
    const queue = [...SERVICE_NAMES];
    const worker = async () => {
      for (let service = queue.shift(); service; service = queue.shift()) {
        const { code, output } = await schemathesisRun(service);
        // The whole report stays with the lab's logs, for the warnings and the cases it sent.
        await writeFile(path.join(cfg.stateDir, 'logs', `schemathesis-${service}.log`), output);
        // What Schemathesis reports after a clean run; an exit 0 without it would be a run that tested nothing.
        // An operation called with a token may answer nothing but 401/403 only when fuzzed as refused: anywhere else
        // the token did not work. (Public ones may: a login with fuzzed credentials is 401.)
        const locked = authFailures(output).filter((op) => tokens.get(service)?.[op] && !REFUSED_ONLY.includes(`${service} ${op}`));
        if (locked.length) failed.push(`── ${service}: only 401/403 from ${locked.join(', ')}: the token of these operations did not work`);
        if (code !== 0 || !/No issues found|warnings? in/.test(output)) {
          const report = output.includes('FAILURES') ? output.slice(output.indexOf('FAILURES')) : output;
          failed.push(`── ${service}: exit ${code}\n${report.trim().split('\n').slice(0, 120).join('\n')}`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    assert.deepEqual(failed, [], failed.join('\n\n'));
  });
});
