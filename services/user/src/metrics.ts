import { type Metrics, prom } from '@faultline/platform';

export type LoginOutcome = 'success' | 'invalid_credentials';

/** The user service's business counters, on the service's registry. */
export function userMetrics(registry: Metrics['registry']) {
  return {
    registered: new prom.Counter({
      name: 'users_registered_total',
      help: 'Accounts created (self-registered or seeded), committed with their user.registered event',
      registers: [registry],
    }),
    logins: new prom.Counter({
      name: 'user_logins_total',
      help: 'Login attempts by outcome (success | invalid_credentials)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type UserMetrics = ReturnType<typeof userMetrics>;
