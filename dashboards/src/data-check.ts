import { type LabConfig, promRangePoints } from '@faultline/lab';
import { allQueries, type PromQuery } from './queries.js';

export interface DataCheck {
  /** Every expression checked. */
  checked: PromQuery[];
  /** Expressions Prometheus refused, with its error. */
  failed: { query: PromQuery; error: string }[];
  /** Expressions expected to return data that drew no finite point over the window. */
  empty: PromQuery[];
  /** Expressions not expected to return data (alerts, annotations: empty is healthy) that drew none. */
  quiet: PromQuery[];
}

/**
 * Run every PromQL expression of every dashboard panel, annotation and rule as a range query over
 * [from, to] (epoch seconds), as Grafana would draw it, and sort out what drew nothing.
 */
export async function checkQueriesAgainst(cfg: LabConfig, from: number, to: number): Promise<DataCheck> {
  const checked = await allQueries();
  const answers = await Promise.all(
    checked.map(async (query) => {
      try {
        return { query, points: await promRangePoints(cfg, query.expr, from, to) };
      } catch (error) {
        return { query, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  const result: DataCheck = { checked, failed: [], empty: [], quiet: [] };
  for (const answer of answers) {
    if ('error' in answer) result.failed.push({ query: answer.query, error: answer.error ?? '' });
    else if (answer.points === 0) (answer.query.expectData ? result.empty : result.quiet).push(answer.query);
  }
  return result;
}
