import assert from 'node:assert/strict';
import { evaluate, type Observations } from '../src/expectations/index.js';
import { expectationSchema } from '../src/schema.js';

const T0 = 1_800_000_000;
const STATE: Record<string, string> = { '.': 'closed', O: 'open', h: 'half_open' };

/** One breaker sample a second from the run's start, spelled `.` closed, `O` open, `h` half-open; one fault from 10 s to 20 s. */
const observations = (states: string): Observations =>
  ({
    experiment: { load: { duration: 30 } },
    loadStart: T0,
    loadEnd: T0 + 30,
    faults: [{ id: 'fault', start: T0 + 10, end: T0 + 20 }],
    breakers: [...states].map((c, i) => ({ at: T0 + i, states: { 'order→payment': STATE[c] } })),
  }) as unknown as Observations;

const opens = expectationSchema.parse({ id: 'opens', kind: 'breaker-opens', phase: 'during', service: 'order', dependency: 'payment', within: 8 });

describe('breaker-opens judges an opening on this fault', () => {
  it('a breaker closed before the fault that opens during it passes, measured from the fault start', async () => {
    const result = await evaluate(observations('.............OOOOOO...........'), opens);
    assert.equal(result.passed, true, result.detail);
    assert.equal(result.measured, 3);
  });

  it('a breaker still open from an earlier phase counts only when it opens anew after a failed probe', async () => {
    const reopened = await evaluate(observations('.....OOOOOOOOOhhOOOO..........'), opens);
    assert.equal(reopened.passed, true, reopened.detail);
    assert.equal(reopened.measured, 6);
    const neverAnew = await evaluate(observations('.....OOOOOOOOOOOOOO...........'), opens);
    assert.equal(neverAnew.passed, false);
    assert.match(neverAnew.detail ?? '', /already open when the fault began and never opened anew/);
  });

  it('a breaker that never opens fails (a knocked-out breaker)', async () => {
    const result = await evaluate(observations('..............................'), opens);
    assert.equal(result.passed, false);
    assert.match(result.detail ?? '', /never opened/);
  });
});
