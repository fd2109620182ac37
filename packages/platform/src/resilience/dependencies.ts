import { z } from 'zod';
import { createHttpClient, type HttpClient } from '../http-client.js';
import type { Knockout } from '../knockout.js';
import type { Logger } from '../logging.js';
import type { Metrics } from '../metrics.js';
import { createServiceTokens } from '../service-tokens.js';
import { createDependencyPolicy, type DependencyPolicy } from './policy.js';
import { type PolicySettingsInput, policySettingsSchema, type ResilienceMode } from './settings.js';

/**
 * What a service calls, declared once (`ORDER_DEPENDENCIES`, `PAYMENT_DEPENDENCIES` …). The platform
 * derives the configuration of each from its name, with one convention for every dependency of
 * every service:
 *
 * | variable | what | default |
 * |---|---|---|
 * | `<NAME>_URL` | base URL (in the lab: through the `<service>__<name>` edge) | required |
 * | `<NAME>_POLICY` | JSON, merged field by field over the declared policy | the declared policy |
 * | `<NAME>_DEADLINE_MS` | deadline of one whole call, every attempt and backoff included | declared, else 8000 |
 */
export interface DependencyDeclaration {
  /** One line for the README's table: what is called, and why. */
  readonly description: string;
  /** Policy settings that differ from the platform's defaults for this dependency. */
  readonly policy?: PolicySettingsInput;
  /** Deadline of one whole call, ms (default {@link DEFAULT_DEADLINE_MS}). */
  readonly deadlineMs?: number;
  /** Its routes are internal: every call carries a service token for it (client credentials). */
  readonly serviceToken?: boolean;
}

export type DependencyDeclarations = Readonly<Record<string, DependencyDeclaration>>;

/** One deadline default for every dependency of every service. */
export const DEFAULT_DEADLINE_MS = 8_000;

/** The environment variable prefix of a dependency: `providers` → `PROVIDERS` (names are lower-case identifiers). */
export function dependencyPrefix(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`dependency name "${name}": use lower-case letters, digits and _ (it names variables)`);
  return name.toUpperCase();
}

type PlainObject = Record<string, unknown>;
const isPlain = (value: unknown): value is PlainObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `override` over `base`, field by field (nested objects merged, everything else replaced). */
export function mergeSettings(base: PlainObject, override: PlainObject): PlainObject {
  const merged: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = isPlain(value) && isPlain(base[key]) ? mergeSettings(base[key], value) : value;
  return merged;
}

/** `<NAME>_POLICY`: JSON merged over the declared settings, then validated as a whole. */
function policyVariable(declared: PolicySettingsInput) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return declared;
      try {
        const value: unknown = JSON.parse(text);
        if (isPlain(value)) return mergeSettings(declared as PlainObject, value) as PolicySettingsInput;
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"timeoutMs":800,"breaker":{"halfOpenAfterMs":2000}}' });
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON, e.g. {"timeoutMs":800,"breaker":{"halfOpenAfterMs":2000}}' });
      }
      return z.NEVER;
    })
    .pipe(policySettingsSchema);
}

type PolicyVariable = ReturnType<typeof policyVariable>;
type DeadlineVariable = z.ZodDefault<z.ZodCoercedNumber<unknown>>;
/** `<NAME>_URL`, `<NAME>_POLICY` and `<NAME>_DEADLINE_MS` of each declared name, typed. */
export type DependencyConfigShape<N extends string> = { [K in N as `${Uppercase<K>}_URL`]: z.ZodURL } & {
  [K in N as `${Uppercase<K>}_POLICY`]: PolicyVariable;
} & { [K in N as `${Uppercase<K>}_DEADLINE_MS`]: DeadlineVariable };

/** The config shape of the declared dependencies, to spread into a service's `configShape`. */
export function dependencyConfigShape<N extends string>(declarations: Readonly<Record<N, DependencyDeclaration>>): DependencyConfigShape<N> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, declaration] of Object.entries<DependencyDeclaration>(declarations)) {
    const prefix = dependencyPrefix(name);
    shape[`${prefix}_URL`] = z.url();
    shape[`${prefix}_POLICY`] = policyVariable(declaration.policy ?? {});
    shape[`${prefix}_DEADLINE_MS`] = z.coerce
      .number()
      .int()
      .min(1)
      .default(declaration.deadlineMs ?? DEFAULT_DEADLINE_MS);
  }
  return shape as DependencyConfigShape<N>;
}

/** What {@link buildDependencies} reads from a service's parsed config. */
export interface DependencyConfig {
  readonly SERVICE_NAME: string;
  readonly RESILIENCE_MODE: ResilienceMode;
  readonly FAULTLINE_KNOCKOUT?: Knockout | undefined;
  readonly SERVICE_TOKEN_URL?: string | undefined;
  readonly SERVICE_CLIENT_ID?: string | undefined;
  readonly SERVICE_CLIENT_SECRET?: string | undefined;
  readonly [variable: string]: unknown;
}

/** A built dependency: the HTTP client, and the shared policy it calls through. */
export interface Dependency {
  readonly http: HttpClient;
  readonly policy: DependencyPolicy;
}

/**
 * One client and one policy per declared dependency, configured by its variables, built once at
 * start. Dependencies declared `serviceToken` get a token for their callee on every call.
 */
export function buildDependencies<N extends string>(
  declarations: Readonly<Record<N, DependencyDeclaration>>,
  config: DependencyConfig,
  kit: { logger: Logger; metrics: Pick<Metrics, 'registry'> },
): Record<N, Dependency> {
  const needTokens = Object.values<DependencyDeclaration>(declarations).some((d) => d.serviceToken);
  const tokens =
    needTokens && config.SERVICE_TOKEN_URL && config.SERVICE_CLIENT_SECRET
      ? createServiceTokens({
          tokenUrl: config.SERVICE_TOKEN_URL,
          clientId: config.SERVICE_CLIENT_ID ?? config.SERVICE_NAME,
          clientSecret: config.SERVICE_CLIENT_SECRET,
          logger: kit.logger,
        })
      : undefined;
  if (needTokens && !tokens) kit.logger.warn('no service credentials (SERVICE_TOKEN_URL, SERVICE_CLIENT_SECRET): calls to internal routes carry no token');
  const built = {} as Record<N, Dependency>;
  for (const name of Object.keys(declarations) as N[]) {
    const prefix = dependencyPrefix(name);
    const deadlineMs = config[`${prefix}_DEADLINE_MS`] as number;
    const policy = createDependencyPolicy({
      name,
      settings: config[`${prefix}_POLICY`] as PolicySettingsInput,
      mode: config.RESILIENCE_MODE,
      logger: kit.logger,
      registry: kit.metrics.registry,
      deadlineMs,
      knockout: config.FAULTLINE_KNOCKOUT,
    });
    const http = createHttpClient({
      name,
      baseUrl: config[`${prefix}_URL`] as string,
      policy,
      logger: kit.logger,
      defaultTimeoutMs: deadlineMs,
      ...(tokens && declarations[name].serviceToken ? { serviceToken: tokens.sourceFor(name) } : {}),
    });
    built[name] = { http, policy };
  }
  return built;
}

/** The README's table of every service's declared dependencies (checked against the code by a test). */
export function dependencyTable(services: Readonly<Record<string, DependencyDeclarations>>): string {
  const rows = ['| service | calls | what | variables | policy (over the platform defaults) | deadline |', '|---|---|---|---|---|---|'];
  for (const [service, declarations] of Object.entries(services)) {
    for (const [name, d] of Object.entries(declarations)) {
      const prefix = dependencyPrefix(name);
      const policy = d.policy && Object.keys(d.policy).length ? `\`${JSON.stringify(d.policy)}\`` : 'defaults';
      rows.push(
        `| ${service} | ${name} | ${d.description} | \`${prefix}_URL\`, \`${prefix}_POLICY\`, \`${prefix}_DEADLINE_MS\` | ${policy} | ${d.deadlineMs ?? DEFAULT_DEADLINE_MS} ms |`,
      );
    }
  }
  return rows.join('\n');
}
