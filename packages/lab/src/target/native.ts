import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { reloadRules } from '../infra/prometheus-api.js';
import { componentStatus, infraStatus, startComponent, stopComponent } from '../infra/runtime.js';
import { gateway } from '../topology/gateway.js';
import { servicesDown, servicesStatus, servicesUp } from '../topology/lab.js';
import { checkSettings, serviceComponent } from '../topology/services.js';
import { type AccessLogMark, type LabTarget, restartedServices, restoreAfter } from './target.js';

/** The native lab: local processes started by pid, the gateway's access log a file in `.faultline/logs`. */
export function nativeTarget(cfg: LabConfig): LabTarget {
  const accessLog = path.join(cfg.stateDir, 'logs', 'gateway.access.log');
  return {
    kind: 'native',
    cfg,
    restoreCommand: 'npm run faultline -- services down && npm run faultline -- services up',
    async assertReady() {
      const states = [...(await infraStatus(cfg)), ...(await servicesStatus(cfg)), await componentStatus(cfg, gateway)];
      const down = states.filter((s) => s.health !== 'ready').map((s) => s.name);
      if (down.length) throw new LabError(`the lab is not healthy (${down.join(', ')} not ready)`, { hint: 'start it with "npm start"' });
    },
    async stopService(name) {
      await stopComponent(cfg, serviceComponent(name));
    },
    startService: (name) => startComponent(cfg, serviceComponent(name)),
    async restartWith(options) {
      const only = restartedServices(options);
      checkSettings(cfg, options.settings); // before anything is stopped
      const restore = async () => {
        await servicesDown(cfg, only);
        await servicesUp(cfg, { only, resilience: 'on', renderer: 'silent' });
      };
      await servicesDown(cfg, only);
      await servicesUp(cfg, { only, ...options, renderer: 'silent' }).catch((error: unknown) => restoreAfter(error, restore, this.restoreCommand));
      return restore;
    },
    accessLogMark: async () => ({
      offset: await stat(accessLog).then(
        (s) => s.size,
        () => 0,
      ),
    }),
    accessLogLines: (mark: AccessLogMark) => createInterface({ input: createReadStream(accessLog, { start: 'offset' in mark ? mark.offset : 0 }) }),
    reloadRules: () => reloadRules(cfg),
  };
}
