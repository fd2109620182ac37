import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { IMAGE_SPECS } from '../src/images/specs.js';
import { COMPILED_ENTRY, COMPILED_NODE_FLAGS, serviceLaunch } from '../src/topology/compile.js';

const root = loadConfig({}).root;
const nodeCommand = ['node', ...COMPILED_NODE_FLAGS, COMPILED_ENTRY];

describe('the services run compiled, with one set of Node flags, natively and in every image', () => {
  it('natively: dist/src/main.js with the compiled exports and the telemetry preload', async () => {
    const launch = await serviceLaunch({ ...loadConfig({}), serviceRuntime: 'compiled' }, 'order');
    assert.equal(launch.compiled, true, 'the services do not compile');
    assert.deepEqual(launch.args, [...COMPILED_NODE_FLAGS, path.join(root, 'services', 'order', COMPILED_ENTRY)]);
  });

  it('adds the Node flags of FAULTLINE_SERVICE_NODE_FLAGS before the entry (a CPU profile of every service)', async () => {
    const cfg = loadConfig({ FAULTLINE_SERVICE_NODE_FLAGS: ' --cpu-prof  --cpu-prof-dir=/tmp/profiles ' });
    assert.deepEqual(cfg.serviceNodeFlags, ['--cpu-prof', '--cpu-prof-dir=/tmp/profiles']);
    const launch = await serviceLaunch({ ...cfg, serviceRuntime: 'compiled' }, 'order');
    assert.deepEqual(launch.args.slice(-3), ['--cpu-prof', '--cpu-prof-dir=/tmp/profiles', path.join(root, 'services', 'order', COMPILED_ENTRY)]);
    assert.throws(() => loadConfig({ FAULTLINE_SERVICE_NODE_FLAGS: '--cpu-prof main.js' }), /FAULTLINE_SERVICE_NODE_FLAGS/);
  });

  it('in the offline service image: the same command, and the services compiled before its cache key is taken', () => {
    const spec = IMAGE_SPECS.find((s) => s.name === 'service');
    assert.ok(spec?.beforeKey, 'the service image does not compile the services first');
    const cmd = spec.dockerfile?.(loadConfig({})).match(/^CMD (.+)$/m)?.[1];
    assert.ok(cmd, 'the service image has no CMD');
    const [, , script] = JSON.parse(cmd) as string[];
    assert.match(script ?? '', /^cd \/app\/services\/\$SERVICE && exec /);
    assert.deepEqual(script?.replace(/^.* && exec /, '').split(' '), nodeCommand);
  });

  it('in the upstream compose/Dockerfile: compiled in a build stage, run with the same command', async () => {
    const dockerfile = await readFile(path.join(root, 'compose', 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^FROM \S+ AS build$[\s\S]*^RUN npx tsc -b services\/\$\{SERVICE\}$/m);
    assert.match(dockerfile, /^COPY --from=build \/app\/services\/\$\{SERVICE\} services\/\$\{SERVICE\}$/m);
    const cmd = dockerfile.match(/^CMD (.+)$/m)?.[1];
    assert.deepEqual(JSON.parse(cmd ?? '[]'), nodeCommand);
  });
});
