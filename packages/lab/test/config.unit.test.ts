import assert from 'node:assert/strict';
import { LabError, loadConfig, PORT_TABLE, portEnvVar } from '../src/index.js';

describe('lab configuration', () => {
  it('uses the port table by default and takes overrides from FAULTLINE_PORT_<NAME>', () => {
    const defaults = loadConfig({});
    for (const spec of PORT_TABLE) assert.equal(defaults.ports[spec.name], spec.port);
    const custom = loadConfig({ [portEnvVar('rabbitmq-amqp')]: '25672' });
    assert.equal(custom.ports['rabbitmq-amqp'], 25672);
    assert.equal(portEnvVar('rabbitmq-amqp'), 'FAULTLINE_PORT_RABBITMQ_AMQP');
  });

  it('names the variable when a port override is not a port', () => {
    assert.throws(
      () => loadConfig({ FAULTLINE_PORT_POSTGRES: 'five' }),
      (error: unknown) => error instanceof LabError && /FAULTLINE_PORT_POSTGRES=five/.test(error.message),
    );
  });

  it('refuses a port override inside the ephemeral range, where outgoing connections could take it', () => {
    assert.throws(() => loadConfig({ FAULTLINE_PORT_PRODUCT: '40000' }), /FAULTLINE_PORT_PRODUCT=40000: inside the ephemeral port range/);
  });

  it('refuses two listeners on one port', () => {
    assert.throws(
      () => loadConfig({ FAULTLINE_PORT_PROMETHEUS: '17474' }),
      /toxiproxy and prometheus are both set to 17474|prometheus and toxiproxy are both set to 17474/,
    );
  });

  it('keeps every default port unique', () => {
    assert.equal(new Set(PORT_TABLE.map((p) => p.port)).size, PORT_TABLE.length);
  });
});

describe('README', () => {
  it('shows the port table the lab really uses', async () => {
    const { readFile } = await import('node:fs/promises');
    const { portsMarkdown } = await import('../src/ports.js');
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = readme.split('<!-- ports:begin -->\n')[1]?.split('\n<!-- ports:end -->')[0];
    // Compare cells, not spacing (the formatter aligns Markdown tables).
    const cells = (markdown = '') =>
      markdown
        .trim()
        .split('\n')
        .filter((row) => !/^[|\s:-]+$/.test(row))
        .map((row) => row.split('|').map((cell) => cell.trim()));
    assert.deepEqual(cells(table), cells(portsMarkdown(loadConfig({}).ports)), 'regenerate it with: npm run faultline -- ports --markdown');
  });
});
