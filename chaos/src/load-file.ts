import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type Experiment, experimentSchema } from './schema.js';

/** A bad experiment file: names the file, the line and the field. */
export class ExperimentFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line: number | undefined; field: string; message: string }[],
  ) {
    super(`${file}:\n${problems.map((p) => `  line ${p.line ?? '?'}: ${p.field || '(file)'}: ${p.message}`).join('\n')}`);
    this.name = 'ExperimentFileError';
  }
}

function nodeAt(root: Node | null | undefined, pathParts: readonly PropertyKey[]): Node | undefined {
  let node: Node | null | undefined = root;
  let last: Node | undefined = root ?? undefined;
  for (const key of pathParts) {
    if (isMap(node)) node = node.get(key as string, true) as Node | undefined;
    else if (isSeq(node)) node = node.get(Number(key), true) as Node | undefined;
    else break;
    if (node) last = node;
  }
  return last;
}

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/** For "matches none of these shapes", report the shape it came closest to (fewest problems). */
function closestBranch(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return [issue];
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
  return best.flatMap((inner) => closestBranch({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** Parse and validate one experiment YAML; errors name the line and the field. */
export function parseExperiment(text: string, file = 'experiment.yaml'): Experiment {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    throw new ExperimentFileError(
      file,
      doc.errors.map((e) => ({ line: e.linePos?.[0]?.line, field: '', message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  const parsed = experimentSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  throw new ExperimentFileError(
    file,
    parsed.error.issues.flatMap(closestBranch).map((issue) => {
      const node = nodeAt(doc.contents, issue.path);
      const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
      return { line, field: issue.path.join('.'), message: issue.message };
    }),
  );
}

export const experimentsDir = (root: string) => path.join(root, 'chaos', 'experiments');

/** Every experiment in `chaos/experiments` that parses, by name (the file name without `.yaml`), and the errors of those that do not. */
export async function readExperiments(root: string): Promise<{ experiments: Map<string, Experiment>; errors: ExperimentFileError[] }> {
  const dir = experimentsDir(root);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const experiments = new Map<string, Experiment>();
  const errors: ExperimentFileError[] = [];
  for (const file of files) {
    try {
      experiments.set(file.replace(/\.yaml$/, ''), parseExperiment(await readFile(path.join(dir, file), 'utf8'), path.join('chaos/experiments', file)));
    } catch (error) {
      if (!(error instanceof ExperimentFileError)) throw error;
      errors.push(error);
    }
  }
  return { experiments, errors };
}

/** Every experiment in `chaos/experiments`, by name; the first bad file stops it (running needs them all sound). */
export async function loadExperiments(root: string): Promise<Map<string, Experiment>> {
  const { experiments, errors } = await readExperiments(root);
  if (errors[0]) throw errors[0];
  return experiments;
}
