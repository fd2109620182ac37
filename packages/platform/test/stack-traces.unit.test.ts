import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * A plain Node process (no tsx, which would transform what it loads) with the platform's stack
 * traces installed from its TypeScript source through tsx's API only for that one module.
 */
async function stackOf(file: string, exported: string): Promise<string[]> {
  const script = `
    import { register } from 'tsx/esm/api';
    const unregister = register();
    const { installStackTraces } = await import(${JSON.stringify(pathToFileURL(path.join(here, '../src/telemetry/stack-traces.ts')).href)});
    await unregister();
    installStackTraces();
    const module = await import(${JSON.stringify(pathToFileURL(file).href)});
    try { module.${exported}(); } catch (error) { console.log(error.stack); }
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: here });
  return stdout.trim().split('\n');
}

describe('stack traces without --enable-source-maps', function () {
  this.timeout(20_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'faultline-stack-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Compile `source` as src/<name>.ts into dist/<name>.js with its map, as tsc -b does. */
  async function compiled(name: string, source: string, withMap = true): Promise<string> {
    const out = ts.transpileModule(source, {
      fileName: `${name}.ts`,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true },
    });
    await mkdir(path.join(dir, 'dist'), { recursive: true });
    const file = path.join(dir, 'dist', `${name}.js`);
    await writeFile(file, out.outputText);
    const map = JSON.parse(out.sourceMapText ?? '{}') as { sources: string[] };
    map.sources = [`../src/${name}.ts`];
    if (withMap) await writeFile(`${file}.map`, JSON.stringify(map));
    return file;
  }

  it('points a frame of a compiled file at its TypeScript line, and leaves other frames as V8 writes them', async () => {
    const file = await compiled(
      'boom',
      'type Shape = { a: number };\n\nexport function boom(): never {\n  const shape: Shape = { a: 1 };\n  throw new Error("boom " + shape.a);\n}\n',
    );
    const lines = await stackOf(file, 'boom');
    assert.equal(lines[0], 'Error: boom 1');
    assert.equal(lines[1], `    at boom (${path.join(dir, 'src', 'boom.ts')}:5:9)`);
    assert.match(lines[2] ?? '', /^ {4}at file:\/\/.*:\d+:\d+$/, 'the caller, without a map');
  });

  it('writes the compiled location when the map is missing', async () => {
    const file = await compiled('nomap', 'export function fail(): never {\n  throw new TypeError("no map");\n}\n', false);
    const lines = await stackOf(file, 'fail');
    assert.equal(lines[0], 'TypeError: no map');
    assert.match(lines[1] ?? '', new RegExp(`at (Module\\.)?fail \\(${pathToFileURL(file).href}:2:\\d+\\)$`));
  });
});
