import { Api, packageFolder, type RunningService, type RuntimeOptions, startRuntime } from '@faultline/platform';
import { createHashingGate, createRateLimit } from './auth/throttle.js';
import { createTokens } from './auth/tokens.js';
import type { UserConfig } from './config.js';
import { userMetrics } from './metrics.js';
import { mountAuthRoutes } from './routes/auth-routes.js';
import { mountUserRoutes } from './routes/user-routes.js';
import type { UserDeps } from './use-cases/deps.js';
import { seedAdmin } from './use-cases/seed-admin.js';

export interface UserRuntime extends RuntimeOptions<UserConfig> {
  /** After start (migrations applied): load or create the signing key and seed the first admin. */
  prepare(): Promise<void>;
}

/** The user service's runtime options: migrations, outbox and routes. `overrides` are for tests (logger, …). */
export function userRuntime(config: UserConfig, overrides: Partial<Omit<RuntimeOptions<UserConfig>, 'config' | 'routes'>> = {}): UserRuntime {
  let deps: UserDeps | undefined;
  return {
    config,
    migrations: packageFolder(import.meta.url, 'migrations'),
    outbox: true,
    ...overrides,
    routes: (app, kit) => {
      const tokens = createTokens({
        pool: kit.pool,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        ttlSec: config.ACCESS_TOKEN_TTL_SEC,
        serviceTtlSec: config.SERVICE_TOKEN_TTL_SEC,
      });
      const minute = 60_000;
      deps = {
        pool: kit.pool,
        tokens,
        metrics: userMetrics(kit.metrics.registry),
        logger: kit.logger,
        hashing: createHashingGate({ concurrency: config.HASHING_CONCURRENCY, queue: config.HASHING_QUEUE }),
        limits: {
          loginsByAddress: createRateLimit({ limit: config.AUTH_LIMIT_PER_ADDRESS, windowMs: minute }),
          loginFailuresByAccount: createRateLimit({ limit: config.LOGIN_FAILURES_PER_ACCOUNT, windowMs: 15 * minute }),
          registrationsByAddress: createRateLimit({ limit: config.AUTH_LIMIT_PER_ADDRESS, windowMs: minute }),
          registrationsByAccount: createRateLimit({ limit: config.REGISTRATIONS_PER_ACCOUNT, windowMs: minute }),
        },
        clients: config.SERVICE_CLIENTS,
      };
      const api = new Api(
        app,
        {
          title: 'user',
          version: config.SERVICE_VERSION,
          description: 'Registration, login (RS256 JWT), profiles and roles. Gateway: /api/auth → /v1/auth, /api/users → /v1/users.',
        },
        tokens,
      );
      mountAuthRoutes(api, deps);
      mountUserRoutes(api, deps);
    },
    async prepare() {
      if (!deps) throw new Error('prepare() runs after startRuntime()');
      await deps.tokens.ready();
      await seedAdmin(deps, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
    },
  };
}

/** Start the whole user service; what `main.ts` and the component tests call. */
export async function startUserService(config: UserConfig, overrides?: Parameters<typeof userRuntime>[1]): Promise<RunningService> {
  const runtime = userRuntime(config, overrides);
  const service = await startRuntime(runtime);
  try {
    await runtime.prepare();
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}
