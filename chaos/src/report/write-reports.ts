import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal } from '../journal.js';
import { reportStem } from './format.js';
import { toHtml } from './html.js';
import { toJUnit } from './junit.js';

/** The files {@link writeReports} wrote. */
export interface WrittenReports {
  /** One journal and one HTML page per run, in the order of the journals. */
  runs: { experiment: string; journal: string; html: string }[];
  junit: string;
  /** Every path written, journals and pages first, `junit.xml` last. */
  files: string[];
}

/**
 * Writes, into `dir` (created if needed), `<experiment>.json` (the journal) and
 * `<experiment>.html` per run, and one `junit.xml` for all of them. A run with the
 * policies off is written as `<experiment>.policies-off.*` so both modes fit in one folder.
 */
export async function writeReports(journals: Journal[], dir: string): Promise<WrittenReports> {
  await mkdir(dir, { recursive: true });
  const runs: WrittenReports['runs'] = [];
  for (const journal of journals) {
    const stem = reportStem(journal);
    const paths = { experiment: journal.experiment, journal: join(dir, `${stem}.json`), html: join(dir, `${stem}.html`) };
    await writeFile(paths.journal, `${JSON.stringify(journal, null, 2)}\n`);
    await writeFile(paths.html, toHtml(journal));
    runs.push(paths);
  }
  const junit = join(dir, 'junit.xml');
  await writeFile(junit, toJUnit(journals));
  return { runs, junit, files: [...runs.flatMap((r) => [r.journal, r.html]), junit] };
}
