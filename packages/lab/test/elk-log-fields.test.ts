import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { run } from '../src/proc.js';
import { accepts, mappedFields, readTemplate, type ValueKind } from './elk-support.js';
import { lab } from './support.js';

// The core promise of the ELK template: every field the services log has an explicit mapping of
// a type that indexes its values. Checked twice: on real lines, and on every logger call in the source.

interface Leaf {
  path: string;
  kind: ValueKind;
  where: string;
}

/** Leaves whose path is not mapped, or mapped with a type that would reject the value; each with where it was first seen. */
function unmapped(leaves: Leaf[], mapped: Map<string, string>): string[] {
  const problems = new Map<string, string>();
  for (const { path: at, kind, where } of leaves) {
    const type = mapped.get(at);
    const problem = !type ? `${at} (${kind}) is not mapped` : !accepts(type, kind) ? `${at} is mapped as ${type} but gets ${kind} values` : undefined;
    if (problem && !problems.has(problem)) problems.set(problem, `${problem} — ${where}`);
  }
  return [...problems.values()];
}

/** The leaves of one ECS JSON line, as Elasticsearch would index them (dotted keys are paths). */
function jsonLeaves(value: unknown, where: string, prefix = '', into: Leaf[] = []): Leaf[] {
  if (value === null || value === undefined) return into;
  if (Array.isArray(value)) {
    for (const item of value) jsonLeaves(item, where, prefix, into);
  } else if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) jsonLeaves(inner, where, prefix ? `${prefix}.${key}` : key, into);
  } else {
    const kind: ValueKind =
      typeof value === 'boolean'
        ? 'boolean'
        : typeof value === 'number'
          ? Number.isInteger(value)
            ? 'integer'
            : 'number'
          : !Number.isNaN(Date.parse(String(value))) && /^\d{4}-/.test(String(value))
            ? 'date-string'
            : 'string';
    into.push({ path: prefix, kind, where });
  }
  return into;
}

/** Lines written by a process started like a service (telemetry preload, LOG_FILE) running the fixture. */
async function realLogLines(): Promise<{ raw: string; line: Record<string, unknown> }[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'faultline-ecs-'));
  try {
    const logFile = path.join(dir, 'order.log');
    const fixture = path.join(lab().root, 'packages/lab/test/fixtures/ecs-log-lines.mjs');
    const env = {
      ...process.env,
      SERVICE_NAME: 'order',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_FILE: logFile,
      LOG_CONSOLE: 'false',
      LOG_LEVEL: 'debug',
      RESILIENCE_MODE: 'on',
      // Any exporter that makes real spans; the console one prints to stdout, which is ignored.
      OTEL_TRACES_EXPORTER: 'console',
    };
    const result = await run(process.execPath, ['--import', 'tsx', '--import', '@faultline/platform/telemetry', fixture], {
      cwd: lab().root,
      env,
      timeoutMs: 30_000,
    });
    assert.equal(result.code, 0, result.stderr);
    const raw = (await readFile(logFile, 'utf8')).split('\n').filter(Boolean);
    return raw.map((text) => ({ raw: text, line: JSON.parse(text) as Record<string, unknown> }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// What logging.ts does with the fields a caller passes: these never reach the line as they are.
const DROPPED = new Set(['level', 'message', 'timestamp', 'service', 'trace_id', 'span_id', 'trace_flags']);
const ERROR_KEYS = new Set(['error', 'err']);
const ERROR_LEAVES = ['error.type', 'error.message', 'error.stack_trace'];
const LOG_METHODS = new Set(['error', 'warn', 'info', 'debug']);

async function sourceFiles(): Promise<string[]> {
  const root = lab().root;
  const dirs = [path.join(root, 'packages/platform/src')];
  for (const entry of await readdir(path.join(root, 'services'), { withFileTypes: true }))
    if (entry.isDirectory()) dirs.push(path.join(root, 'services', entry.name, 'src'));
  const files: string[] = [];
  for (const dir of dirs)
    for (const file of await readdir(dir, { recursive: true }).catch(() => []))
      if (file.endsWith('.ts') && !file.endsWith('.d.ts')) files.push(path.join(dir, file));
  return files;
}

/** The fields of every `logger.<level>(message, fields)` call in the services and the platform, with their static types. */
async function loggedInSource(): Promise<{ leaves: Leaf[]; calls: number }> {
  const files = await sourceFiles();
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const leaves: Leaf[] = [];
  let calls = 0;

  const kindsOf = (type: ts.Type): ValueKind[] => {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return ['unknown'];
    if (type.isUnion()) return type.types.flatMap(kindsOf);
    if (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) return [];
    if (type.flags & ts.TypeFlags.StringLike) return ['string'];
    if (type.flags & ts.TypeFlags.NumberLike) return ['number'];
    if (type.flags & ts.TypeFlags.BooleanLike) return ['boolean'];
    if (checker.isArrayType(type)) return kindsOf(checker.getTypeArguments(type as ts.TypeReference)[0] as ts.Type);
    return ['unknown'];
  };
  const visitFields = (type: ts.Type, at: ts.Node, prefix: string, where: string) => {
    for (const property of type.getProperties()) {
      const name = property.getName();
      if (!prefix && DROPPED.has(name)) continue;
      if (!prefix && ERROR_KEYS.has(name)) {
        for (const leaf of ERROR_LEAVES) leaves.push({ path: leaf, kind: 'string', where });
        continue;
      }
      const propertyType = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(property, at));
      const fullName = prefix ? `${prefix}.${name}` : name;
      const isObject = propertyType.flags & ts.TypeFlags.Object && !checker.isArrayType(propertyType) && propertyType.getCallSignatures().length === 0;
      if (isObject && !propertyType.getStringIndexType()) visitFields(propertyType, at, fullName, where);
      else for (const kind of new Set(kindsOf(propertyType))) leaves.push({ path: fullName, kind, where });
    }
  };

  for (const source of program.getSourceFiles()) {
    if (!files.includes(source.fileName)) continue;
    const visit = (node: ts.Node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        LOG_METHODS.has(node.expression.name.text) &&
        /\blogger$/.test(node.expression.expression.getText(source))
      ) {
        calls += 1;
        const fields = node.arguments[1];
        if (fields) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          visitFields(checker.getTypeAtLocation(fields), fields, '', `${path.relative(lab().root, source.fileName)}:${line + 1}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { leaves, calls };
}

describe('ELK index template covers every field the services log', () => {
  it('maps every field of real log lines with a compatible type: start, spans, HTTP errors with stacks, redaction, resilience events, shutdown', async () => {
    const lines = await realLogLines();
    const messages = lines.map(({ line }) => line.message);
    for (const expected of [
      'service listening',
      'stock reserved',
      'poison message dead-lettered',
      'request rejected',
      'request failed',
      'bulkhead full, call rejected',
      'dependency call timed out',
      'circuit breaker opened',
      'retrying dependency call',
      'fallback served',
      'circuit breaker half-open',
      'circuit breaker closed',
      'shutdown complete',
    ])
      assert.ok(messages.includes(expected), `no "${expected}" line in ${JSON.stringify(messages)}`);
    // The shapes the check must have seen: inside and outside a span, an error with its stack, redacted values.
    const byMessage = (message: string) => lines.find(({ line }) => line.message === message)?.line ?? {};
    const inSpan = byMessage('stock reserved') as { trace?: { id?: string }; span?: { id?: string } };
    assert.match(inSpan.trace?.id ?? '', /^[0-9a-f]{32}$/);
    assert.match(inSpan.span?.id ?? '', /^[0-9a-f]{16}$/);
    assert.equal((byMessage('service listening') as { trace?: unknown }).trace, undefined);
    const failed = byMessage('request failed') as { error?: { stack_trace?: string } };
    assert.match(failed.error?.stack_trace ?? '', /^Error: connection refused, token=\[REDACTED\]\n\s+at /);
    for (const secret of ['hunter2', '4111 1111 1111 1111', 'abc.def.ghi']) assert.ok(!lines.some(({ raw }) => raw.includes(secret)), `${secret} was logged`);

    const mapped = mappedFields((await readTemplate()).template.mappings.properties);
    const leaves = lines.flatMap(({ line }) => jsonLeaves(line, `"${String(line.message)}"`));
    assert.deepEqual(unmapped(leaves, mapped), []);
  });

  it('maps every field passed to a logger anywhere in the services and the platform, with a compatible type', async () => {
    const { leaves, calls } = await loggedInSource();
    assert.ok(calls > 50, `found only ${calls} logger calls: is the scan still looking in the right places?`);
    const mapped = mappedFields((await readTemplate()).template.mappings.properties);
    assert.deepEqual(unmapped(leaves, mapped), []);
  });
});
