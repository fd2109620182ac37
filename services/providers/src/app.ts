import { Api, packageFolder, type RuntimeOptions, type ServiceDefinition } from '@faultline/platform';
import { configShape, type ProvidersConfig } from './config.js';
import { chargeRoutes } from './routes/charges.js';
import { messageRoutes } from './routes/messages.js';

/** The providers service: a fake card processor and a message sink, with their state in their own database. */
export function runtimeOptions(config: ProvidersConfig, overrides: Partial<RuntimeOptions<ProvidersConfig>> = {}): RuntimeOptions<ProvidersConfig> {
  return {
    config,
    migrations: packageFolder(import.meta.url, 'migrations'),
    routes: (app, kit) => {
      const api = new Api(app, {
        title: 'providers',
        version: config.SERVICE_VERSION,
        description: 'The outside world: a fake card processor and an email/SMS sink. Faults come from Toxiproxy, not from here.',
      });
      const deps = { pool: kit.pool, logger: kit.logger };
      chargeRoutes(api, deps);
      messageRoutes(api, deps);
    },
    ...overrides,
  };
}

export const service: ServiceDefinition<typeof configShape> = { name: 'providers', configShape, runtimeOptions };
