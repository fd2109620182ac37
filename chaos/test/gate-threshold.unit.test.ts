import assert from 'node:assert/strict';
import { parseThreshold, worsening } from '../src/gate/threshold.js';

describe('gate thresholds', () => {
  it('reads the direction and the number of the thresholds the runner writes', () => {
    assert.deepEqual(parseThreshold('≤ 2 s'), { direction: 'lower-is-better', value: 2 });
    assert.deepEqual(parseThreshold('≥ 80 %'), { direction: 'higher-is-better', value: 80 });
    assert.deepEqual(parseThreshold('== 0'), { direction: 'target', value: 0 });
    assert.deepEqual(parseThreshold('<= 0.01'), { direction: 'lower-is-better', value: 0.01 });
    assert.deepEqual(parseThreshold('>= 1e2 x'), { direction: 'higher-is-better', value: 100 });
    assert.deepEqual(parseThreshold('opens'), { direction: 'unknown', value: null });
  });

  it('measures worsening in the direction of the threshold', () => {
    assert.equal(worsening(parseThreshold('≤ 5 s'), 2, 3), 1);
    assert.equal(worsening(parseThreshold('≥ 80 %'), 92, 90), 2);
    assert.equal(worsening(parseThreshold('≥ 80 %'), 90, 92), -2);
    assert.equal(worsening(parseThreshold('== 0'), 1, 3), 2);
    assert.equal(worsening(parseThreshold('?'), 1, 3), null);
  });
});
