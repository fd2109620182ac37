/**
 * Run every expression of `allQueries()` against the lab's Prometheus over the last minutes
 * (read-only range queries) and list those that return nothing or fail.
 *
 *   node --import tsx dashboards/src/no-data.ts [minutes, default 15]
 */
import { loadConfig } from '@faultline/lab';
import { checkQueriesAgainst } from './data-check.js';

const minutes = Number(process.argv[2] ?? 15);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`no-data: "${process.argv[2]}" is not a number of minutes; e.g. node --import tsx dashboards/src/no-data.ts 30`);
  process.exit(2);
}
const now = Date.now() / 1000;
const { checked, failed, empty, quiet } = await checkQueriesAgainst(loadConfig(), now - minutes * 60, now);
for (const { query, error } of failed) console.log(`ERROR   ${query.id}: ${error}`);
for (const query of empty) console.log(`NO DATA ${query.id}`);
for (const query of quiet) console.log(`empty   ${query.id} (an alert or annotation: empty is healthy)`);
console.log(`${checked.length} expressions over the last ${minutes} min: ${empty.length} expected to return data returned none, ${failed.length} failed`);
process.exitCode = empty.length || failed.length ? 1 : 0;
