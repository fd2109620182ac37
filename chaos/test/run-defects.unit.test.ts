import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LabTarget } from '@faultline/lab';
import { Command } from 'commander';
import { registerChaosCommands } from '../src/cli.js';
import { openSagaCount } from '../src/expectations/invariants.js';
import { readExperiments } from '../src/load-file.js';
import { scheduleFaults } from '../src/run/schedule.js';
import { restoreServices } from '../src/run/services.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

// The small judging defects of issue 11, each kept fixed by a test.
describe('the runner’s small defects stay fixed', () => {
  it('sagas-terminal reads the saga list only from a successful answer, and says what came instead', async () => {
    assert.equal(await openSagaCount(Response.json({ items: [{}, {}] })), 2);
    await assert.rejects(openSagaCount(new Response('{"title":"Service Unavailable"}', { status: 503 })), /saga list answered 503: .*Service Unavailable/);
    await assert.rejects(openSagaCount(Response.json({ sagas: [] })), /has no items/);
  });

  it('services that do not come back after --policies off or a knock-out are retried once, then named with the command that restores them', async () => {
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls === 1) throw new Error('order did not become ready');
    };
    // Only the lab's restore command is read here.
    const lab = { restoreCommand: 'npm run faultline -- services up' } as LabTarget;
    assert.equal(await restoreServices(lab, flaky), undefined);
    assert.equal(calls, 2);
    const broken = async () => {
      throw new Error('payment did not become ready');
    };
    assert.match((await restoreServices(lab, broken)) ?? '', /could not be restored \(payment did not become ready\): run "npm run faultline -- services up"/);
  });

  it('one bad experiment file does not hide the others from chaos list', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'faultline-experiments-'));
    try {
      const dir = path.join(root, 'chaos', 'experiments');
      await mkdir(dir, { recursive: true });
      await copyFile(path.join(ROOT, 'chaos', 'experiments', 'poison-messages.yaml'), path.join(dir, 'poison-messages.yaml'));
      await writeFile(path.join(dir, 'broken.yaml'), 'title: broken\nload: { rate: fast }\n');
      const { experiments, errors } = await readExperiments(root);
      assert.deepEqual([...experiments.keys()], ['poison-messages']);
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /broken\.yaml/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('settling the fault schedule leaves no timer behind (chaos run returns as soon as its reports are written)', async () => {
    await new Promise((resolve) => setImmediate(resolve)); // mocha's own timer for this test is armed by now
    const before = timers();
    const schedule = scheduleFaults(
      {} as never,
      [],
      () => {},
      () => {},
    );
    await schedule.settle(Date.now() / 1000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(timers(), before);
  });

  it('chaos gate refuses --policies: each baselined run keeps the policies it was recorded with', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerChaosCommands(program, () => {
      throw new Error('no lab needed to parse the options');
    });
    for (const command of program.commands) command.exitOverride();
    for (const command of program.commands.flatMap((c) => c.commands)) command.exitOverride().configureOutput({ writeErr: () => {} });
    await assert.rejects(
      program.parseAsync(['node', 'faultline', 'chaos', 'gate', '--baseline', 'b.json', '--policies', 'off']),
      /unknown option '--policies'/,
    );
  });
});
