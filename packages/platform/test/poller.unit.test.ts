import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPoller } from '../src/index.js';

describe('createPoller', () => {
  it('runs rounds back to back while they ask for no rest, and rests as long as a round says', async () => {
    let rounds = 0;
    const poller = createPoller({ round: async () => (++rounds < 5 ? 0 : 60_000), onError: () => 0 });
    poller.start();
    await sleep(200);
    assert.equal(rounds, 5, 'four rounds with no rest, then a long rest');
    const started = Date.now();
    await poller.stop();
    assert.ok(Date.now() - started < 1000, 'stop cuts the rest short');
    assert.equal(poller.running, false);
  });

  it('wakes from a rest at once', async () => {
    let rounds = 0;
    const poller = createPoller({
      round: async () => {
        rounds += 1;
        return 60_000;
      },
      onError: () => 0,
    });
    poller.start();
    await sleep(50);
    poller.wake();
    await sleep(50);
    assert.equal(rounds, 2);
    await poller.stop();
  });

  it('keeps a wake that comes during a round: the next round follows at once instead of the rest', async () => {
    let rounds = 0;
    let poller: ReturnType<typeof createPoller> | undefined;
    poller = createPoller({
      round: async () => {
        rounds += 1;
        if (rounds === 1) {
          await sleep(20);
          poller?.wake(); // e.g. a NOTIFY for a commit the round's query did not see
          await sleep(20);
        }
        return 60_000;
      },
      onError: () => 0,
    });
    poller.start();
    await sleep(150);
    const ran = rounds;
    await poller.stop();
    assert.equal(ran, 2, 'the woken round ran, then the long rest');
  });

  it('hands a failed round to onError and keeps polling after the rest it returns', async () => {
    const seen: unknown[] = [];
    let rounds = 0;
    const poller = createPoller({
      round: async () => {
        rounds += 1;
        if (rounds === 1) throw new Error('database away');
        return 60_000;
      },
      onError: (error) => {
        seen.push(error);
        return 10;
      },
    });
    poller.start();
    await sleep(300);
    await poller.stop();
    assert.equal(seen.length, 1);
    assert.match(String(seen[0]), /database away/);
    assert.equal(rounds, 2);
  });

  it('lets the round in progress finish on stop, runs no other, and starts again', async () => {
    let finished = 0;
    let rounds = 0;
    const poller = createPoller({
      round: async () => {
        rounds += 1;
        await sleep(100);
        finished += 1;
        return 0;
      },
      onError: () => 0,
    });
    poller.start();
    await sleep(20);
    await poller.stop();
    assert.equal(finished, 1, 'the round under way finished before stop resolved');
    assert.equal(rounds, 1, 'no round after stop');
    poller.start();
    await sleep(20);
    assert.equal(rounds, 2);
    await poller.stop();
  });
});
