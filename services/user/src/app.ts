import { Api, outboxAdminRoutes, packageFolder, perKit, type RuntimeOptions, type ServiceDefinition } from '@faultline/platform';
import { createHashingGate, createRateLimit } from './auth/throttle.js';
import { createTokens } from './auth/tokens.js';
import { configShape, type UserConfig } from './config.js';
import type { UserDeps } from './deps.js';
import { userMetrics } from './metrics.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { seedAdmin } from './use-cases/seed-admin.js';

/** The user service's runtime options: migrations, outbox, routes, and the signing key and first admin once migrated. `overrides` are for tests (logger, …). */
export function runtimeOptions(config: UserConfig, overrides: Partial<RuntimeOptions<UserConfig>> = {}): RuntimeOptions<UserConfig> {
  const depsOf = perKit((kit): UserDeps => {
    const tokens = createTokens({
      pool: kit.pool,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSec: config.ACCESS_TOKEN_TTL_SEC,
      serviceTtlSec: config.SERVICE_TOKEN_TTL_SEC,
    });
    const minute = 60_000;
    return {
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
  });
  return {
    config,
    migrations: packageFolder(import.meta.url, 'migrations'),
    outbox: true,
    routes: (app, kit) => {
      const deps = depsOf(kit);
      const api = new Api(
        app,
        {
          title: 'user',
          version: config.SERVICE_VERSION,
          description: 'Registration, login (RS256 JWT), profiles and roles. Gateway: /api/auth → /v1/auth, /api/users → /v1/users.',
        },
        deps.tokens,
      );
      authRoutes(api, deps);
      userRoutes(api, deps);
      outboxAdminRoutes(api, kit.pool);
    },
    onStarted: async (kit) => {
      const deps = depsOf(kit);
      await deps.tokens.ready();
      await seedAdmin(deps, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
    },
    ...overrides,
  };
}

export const service: ServiceDefinition<typeof configShape> = { name: 'user', configShape, runtimeOptions };
