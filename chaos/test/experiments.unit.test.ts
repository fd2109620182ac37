import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, MECHANISM_NAMES, proxyConfig } from '@faultline/lab';
import { z } from 'zod';
import { catalogueTable } from '../src/catalogue.js';
import { ExperimentFileError, experimentSchema, loadExperiments, parseExperiment, scaled } from '../src/index.js';

const root = loadConfig().root;

describe('experiment files', () => {
  it('the catalog has at least ten valid experiments, each fault on a real edge of the topology', async () => {
    const experiments = await loadExperiments(root);
    assert.ok(experiments.size >= 10, `only ${experiments.size} experiments`);
    const edges = new Set(proxyConfig(loadConfig()).map((p) => p.name));
    for (const [name, experiment] of experiments) {
      for (const fault of experiment.faults) if ('edge' in fault) assert.ok(edges.has(fault.edge), `${name}: no edge ${fault.edge}`);
    }
  });

  it("the README's catalogue table is the catalogue (npm run faultline -- chaos list --markdown)", async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    const table = readme.match(/<!-- experiments:start[^>]*-->\n([\s\S]*?)\n<!-- experiments:end -->/)?.[1];
    // The formatter pads the cells: compare cell by cell.
    const cells = (markdown: string) =>
      markdown.split('\n').map((row) =>
        row
          .split(/(?<!\\)\|/)
          .map((cell) => cell.trim())
          .map((cell) => (/^-+$/.test(cell) ? '---' : cell)),
      );
    assert.ok(table, 'the README has no experiments table between its markers');
    assert.deepEqual(cells(table), cells(catalogueTable(await loadExperiments(root))));
  });

  it('every mechanism a knock-out can remove is verified by at least one experiment, every declared one by an expectation', async () => {
    const experiments = await loadExperiments(root);
    const verified = new Set([...experiments.values()].flatMap((e) => e.verifies.map((v) => v.split(' ')[0])));
    for (const mechanism of MECHANISM_NAMES) assert.ok(verified.has(mechanism), `no experiment verifies ${mechanism}`);
  });

  it('an expectation may only verify a mechanism its experiment declares, and a declared one needs an expectation', () => {
    const base = [
      'title: T',
      'description: x',
      'load: { rate: 2, duration: 30 }',
      'faults:',
      '  - { id: f, edge: order__payment, toxic: latency, start: 1, duration: 2 }',
    ];
    assert.throws(
      () =>
        parseExperiment([...base, 'verifies: [timeout order→payment]', 'expectations:', '  - { id: e, kind: error-rate, phase: during, max: 0.1 }'].join('\n')),
      /no expectation verifies "timeout order→payment"/,
    );
    assert.throws(
      () => parseExperiment([...base, 'expectations:', '  - { id: e, kind: error-rate, phase: during, max: 0.1, verifies: retry order→payment }'].join('\n')),
      /is not in the experiment's verifies list/,
    );
    assert.throws(
      () =>
        parseExperiment([...base, 'verifies: [bulkhead order→user]', 'expectations:', '  - { id: e, kind: error-rate, phase: during, max: 0.1 }'].join('\n')),
      /order has no bulkhead for "user"/,
    );
  });

  it('a bad file gets an error naming the line and the field', () => {
    const text = [
      'title: Broken',
      'description: x',
      'load:',
      '  rate: 5',
      '  duration: 30',
      'faults:',
      '  - id: f1',
      '    edge: order__payment',
      '    toxic: latensy',
      '    start: 5',
      '    duration: 10',
      'expectations:',
      '  - { id: e1, kind: error-rate, phase: during, max: 0.1 }',
    ].join('\n');
    assert.throws(
      () => parseExperiment(text, 'broken.yaml'),
      (error: unknown) => error instanceof ExperimentFileError && /line 9: faults\.0\.toxic/.test(error.message),
    );
  });

  it('refuses a fault that outlasts the load and an expectation about an unknown fault', () => {
    const text = [
      'title: T',
      'description: x',
      'load: { rate: 5, duration: 20 }',
      'faults:',
      '  - { id: f1, edge: order__payment, toxic: down, start: 15, duration: 10 }',
      'expectations:',
      '  - { id: e1, kind: error-rate, phase: during, fault: nope, max: 0.1 }',
    ].join('\n');
    assert.throws(
      () => parseExperiment(text),
      (error: unknown) =>
        error instanceof ExperimentFileError &&
        /faults\.0\.duration: the fault outlasts the load/.test(error.message) &&
        /expectations\.0\.fault: no fault with id "nope"/.test(error.message),
    );
  });

  it("reads a service's run settings as strings and refuses an unknown service or a name that is no variable", () => {
    const head = [
      'title: T',
      'description: x',
      'load: { rate: 5, duration: 20 }',
      'faults:',
      '  - { id: f1, edge: order__payment, toxic: down, start: 5, duration: 5 }',
    ];
    const tail = ['expectations:', '  - { id: e1, kind: error-rate, phase: during, max: 0.1 }'];
    const parsed = parseExperiment([...head, 'settings:', '  product: { RESERVATION_HOLD_TTL_SEC: 5, RESERVATION_EXPIRE_HOLDS: true }', ...tail].join('\n'));
    assert.deepEqual(parsed.settings, { product: { RESERVATION_HOLD_TTL_SEC: '5', RESERVATION_EXPIRE_HOLDS: 'true' } });
    assert.deepEqual(parseExperiment([...head, ...tail].join('\n')).settings, {});
    assert.throws(
      () => parseExperiment([...head, 'settings:', '  warehouse: { X: 1 }', '  product: { hold-ttl: 5 }', ...tail].join('\n')),
      (error: unknown) =>
        error instanceof ExperimentFileError &&
        /settings: Unrecognized key: "warehouse"/.test(error.message) &&
        /a setting is an environment variable name in capitals/.test(error.message),
    );
    const stopped = [
      'title: T',
      'description: x',
      'load: { rate: 5, duration: 20 }',
      'faults:',
      '  - { id: f1, service: product, action: stop, start: 5, duration: 5 }',
    ];
    assert.throws(
      () => parseExperiment([...stopped, 'settings:', '  product: { RESERVATION_HOLD_TTL_SEC: 5 }', ...tail].join('\n')),
      (error: unknown) =>
        error instanceof ExperimentFileError && /faults\.0\.service: product has run settings, which a restart in the run would drop/.test(error.message),
    );
  });

  it('scales the load and the fault schedule, never below a second', async () => {
    const experiment = (await loadExperiments(root)).get('payment-provider-outage');
    assert.ok(experiment);
    const half = scaled(experiment, 0.5);
    assert.equal(half.load.duration, Math.round(experiment.load.duration / 2));
    assert.equal(half.faults[0]?.start, Math.round((experiment.faults[0]?.start ?? 0) / 2));
  });

  it('the committed JSON Schema for editors matches the schema (npm run faultline -- chaos schema)', async () => {
    const committed = JSON.parse(await readFile(path.join(root, 'chaos', 'experiment.schema.json'), 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(z.toJSONSchema(experimentSchema, { io: 'input', unrepresentable: 'any' }))));
  });
});
