import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const services = new URL('../../services/', import.meta.url);
const names = readdirSync(services, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/src/main.ts`, services)))
  .map((entry) => entry.name);
const read = (name: string, file: string) => readFileSync(new URL(`${name}/src/${file}`, services), 'utf8');

describe('one skeleton for every service', () => {
  it('finds the six services', () => {
    assert.deepEqual(names.sort(), ['notification', 'order', 'payment', 'product', 'providers', 'user']);
  });

  it('every main.ts is the same lines: await runMain(service)', () => {
    const [first, ...rest] = names.map((name) => read(name, 'main.ts'));
    assert.match(first ?? '', /^await runMain\(service\);$/m);
    for (const [index, main] of rest.entries()) assert.equal(main, first, `services/${names[index + 1]}/src/main.ts differs`);
  });

  it('every app.ts exports the service as a value and runtimeOptions', () => {
    for (const name of names) {
      const app = read(name, 'app.ts');
      assert.match(app, /export const service: ServiceDefinition<[^>]+> = \{ name: '[a-z]+', configShape/, `services/${name}/src/app.ts`);
      assert.match(app, /export function runtimeOptions\(/, `services/${name}/src/app.ts`);
    }
  });

  it('route modules are routes/<resource>.ts exporting <resource>Routes; deps and metrics files have one name', () => {
    for (const name of names) {
      const routes = new URL(`${name}/src/routes/`, services);
      for (const file of readdirSync(routes).filter((f) => f.endsWith('.ts') && f !== 'schemas.ts')) {
        const resource = file.replace(/\.ts$/, '');
        const singular = resource.replace(/s$/, '');
        assert.match(
          readFileSync(new URL(file, routes), 'utf8'),
          new RegExp(`export function (${resource}|${singular})Routes\\(`),
          `services/${name}/src/routes/${file}`,
        );
      }
      const src = readdirSync(new URL(`${name}/src/`, services));
      assert.deepEqual(
        src.filter((f) => /(deps|metrics|context)\.ts$/.test(f) && !['deps.ts', 'metrics.ts'].includes(f)),
        [],
        `services/${name}/src`,
      );
    }
  });
});
