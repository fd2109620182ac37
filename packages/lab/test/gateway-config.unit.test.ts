import assert from 'node:assert/strict';
import { composeGateway } from '../src/compose/offline-configs.js';
import { loadConfig } from '../src/config.js';
import { nginxConfig } from '../src/topology/gateway.js';

/** The lines of a configuration that say where the gateway runs (files, address, the edges' host), not what it does. */
const SITE_LINE = /^\s*(user |pid |error_log |access_log |\w+_temp_path |listen |upstream \w+ \{ server )/;
const behaviour = (config: string) => config.split('\n').filter((line) => !SITE_LINE.test(line));

describe('one gateway configuration for the native lab and the compose stack', () => {
  const cfg = { ...loadConfig({}), stateDir: '/lab-state' };
  const native = nginxConfig(cfg, 'nobody nogroup');
  const compose = composeGateway(cfg);

  it('differs only in where it runs: the same routes, error pages, access-log format and Location rewrite', () => {
    assert.deepEqual(behaviour(compose), behaviour(native));
    for (const config of [native, compose]) {
      assert.match(config, /error_page 503 \/_faultline\/problem\/upstream-unavailable;/);
      assert.match(config, /"trace":\{"id":"\$trace_id"/);
      assert.match(config, /"faultline":\{"run":"\$http_x_faultline_run"\}/);
      assert.match(config, /proxy_redirect ~\^\(\?:https\?:\/\/\[\^\/\]\+\)\?\/v1\/\(users\|/);
    }
  });

  it('sends the compose gateway through the toxiproxy container, its access log to standard output', () => {
    assert.match(compose, /upstream order \{ server toxiproxy:\d+; keepalive 32; \}/);
    assert.match(compose, /access_log \/dev\/stdout ecs;/);
    assert.match(native, /upstream order \{ server 127\.0\.0\.1:\d+; keepalive 32; \}/);
    assert.match(native, /access_log \/lab-state\/logs\/gateway\.access\.log ecs;/);
  });
});
