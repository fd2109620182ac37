/**
 * Run every expression of `allQueries()` against a Prometheus (read-only instant queries) and
 * list those that return nothing or fail.
 *
 *   node --import tsx dashboards/src/no-data.ts [http://127.0.0.1:17090]
 */
import { allQueries } from './queries.js';

interface Answer {
  status: string;
  error?: string;
  data?: { result: unknown[] };
}

const base = process.argv[2] ?? 'http://127.0.0.1:17090';
let empty = 0;
for (const q of await allQueries()) {
  const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q.expr)}`)).json()) as Answer;
  const n = body.data?.result.length ?? 0;
  if (body.status !== 'success') console.log(`ERROR   ${q.id}: ${body.error}`);
  else if (n === 0) {
    if (q.expectData) empty++;
    console.log(`${q.expectData ? 'NO DATA' : 'empty  '} ${q.id}`);
  }
}
console.log(`${empty} expression(s) expected to return data returned none`);
