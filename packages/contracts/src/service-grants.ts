/**
 * Which service may call which operation of which other service: client → audience (the callee)
 * → scopes. The user service issues service tokens from this table only, and each internal route
 * declares the one scope it needs (`auth: { service: 'payments:charge' }`). `lab` is the
 * operator tooling (`faultline audit`'s clean-up releases stock held for cancelled orders).
 */
export const SERVICE_GRANTS = {
  order: {
    product: ['reservations:create', 'reservations:read', 'reservations:commit', 'reservations:release'],
    payment: ['payments:charge', 'payments:read', 'payments:refund'],
  },
  lab: {
    product: ['reservations:read', 'reservations:release'],
    payment: ['payments:read'],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

export type ServiceClient = keyof typeof SERVICE_GRANTS;
type Grants = typeof SERVICE_GRANTS;
/** Every scope a route may require. */
export type ServiceScope = {
  [C in keyof Grants]: { [A in keyof Grants[C]]: Grants[C][A] extends readonly (infer S)[] ? S : never }[keyof Grants[C]];
}[keyof Grants];

/** The scopes `client` holds at `audience` (none for an unknown pair). */
export function grantedScopes(client: string, audience: string): readonly string[] {
  const byAudience = (SERVICE_GRANTS as Record<string, Record<string, readonly string[]>>)[client];
  return byAudience?.[audience] ?? [];
}

/** The clients that need credentials, in a stable order. */
export const SERVICE_CLIENTS = Object.keys(SERVICE_GRANTS) as ServiceClient[];
