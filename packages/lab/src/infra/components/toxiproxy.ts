import path from 'node:path';
import type { LabConfig } from '../../config.js';
import { binPath } from '../../toolchain/go-tools.js';
import { type Component, httpOk } from '../component.js';
import { spawnDaemon } from '../daemon.js';

export const toxiproxyUrl = (cfg: LabConfig) => `http://127.0.0.1:${cfg.ports.toxiproxy}`;

export const toxiproxy: Component = {
  name: 'toxiproxy',
  hint: 'run "npm start" (or "faultline setup") to build toxiproxy-server into .tools/bin',
  logFile: (cfg) => path.join(cfg.stateDir, 'logs', 'toxiproxy.log'),
  // Proxies live in memory and are recreated from the topology at start.
  dataDirs: () => [],
  endpoint: (cfg) => toxiproxyUrl(cfg),
  async prepare() {},

  async start(cfg) {
    const pid = await spawnDaemon({
      command: binPath(cfg.toolsDir, 'toxiproxy-server'),
      args: ['-host', '127.0.0.1', '-port', String(cfg.ports.toxiproxy), '-proxy-metrics', '-runtime-metrics'],
      logFile: this.logFile(cfg),
    });
    return { component: 'toxiproxy', processes: [{ pid, match: 'toxiproxy-server' }], startedAt: new Date().toISOString() };
  },

  probe: (cfg) => httpOk(`${toxiproxyUrl(cfg)}/version`),
};
