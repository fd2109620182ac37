import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | undefined>();

/** The source map of a compiled file of ours (`…/dist/….js` beside its `.js.map`), read on first use. */
function sourceMapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    if (file.includes(`${path.sep}dist${path.sep}`) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        map = undefined;
      }
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** One stack frame, at its TypeScript source when it is ours and has a map. */
function frameLine(frame: NodeJS.CallSite): string {
  const name = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  const file = name?.startsWith('file://') ? fileURLToPath(name) : name;
  // findEntry answers {} where the map has no mapping.
  const entry = (file && line && column ? sourceMapOf(file)?.findEntry(line - 1, column - 1) : undefined) as Partial<SourceMapping> | undefined;
  if (!file || entry?.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined)
    return `    at ${frame.toString()}`;
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
  const where = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const fn = frame.getFunctionName() ?? (frame.isToplevel() ? undefined : '<anonymous>');
  const prefix = frame.isAsync() ? 'async ' : '';
  return `    at ${prefix}${fn ? `${fn} (${where})` : where}`;
}

/**
 * Stack traces at the TypeScript sources of the services and the platform, without
 * `--enable-source-maps`: that flag parsed and kept the source map of every module with one
 * (every OpenTelemetry package ships them), about 17 MB per service. Here only the maps of our own
 * compiled files are read, and only when a stack trace passes through them.
 */
export function installStackTraces(): void {
  if (process.sourceMapsEnabled) return; // Node maps every frame itself
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => [String(error), ...frames.map(frameLine)].join('\n');
}
