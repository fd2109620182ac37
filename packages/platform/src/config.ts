import { z } from 'zod';
import { knockoutSchema } from './knockout.js';

/** Settings every service has. Each maps to one environment variable of the same name. */
export const baseConfigShape = {
  SERVICE_NAME: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case service name'),
  SERVICE_VERSION: z.string().default('0.1.0'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** Also write the ECS log lines to this file (natively `.faultline/logs/<service>.log`). */
  LOG_FILE: z.string().optional(),
  /** Also write the log lines to stdout (off when a supervisor already captures a file). */
  LOG_CONSOLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** `off` bypasses every resilience policy (metrics stay), so an experiment can show what they buy. */
  RESILIENCE_MODE: z.enum(['on', 'off']).default('on'),
  /**
   * Remove exactly one mechanism of one dependency or consumer (`<mechanism>:<target>`, e.g.
   * `timeout:providers`), everything else staying on: how `chaos prove` shows a verdict can fail.
   */
  FAULTLINE_KNOCKOUT: knockoutSchema.optional(),
  /** Hard deadline of a graceful shutdown. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Largest accepted JSON body. */
  BODY_LIMIT: z.string().default('100kb'),
};

export type BaseConfig = z.infer<z.ZodObject<typeof baseConfigShape>>;

/** A configuration error: names every invalid or missing variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Read the service's configuration once from the environment: the base settings plus the
 * service's own `shape`. Throws a {@link ConfigError} naming each bad variable.
 */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): BaseConfig & z.infer<z.ZodObject<S>> {
  const schema = z.object({ ...baseConfigShape, ...shape });
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        const value = env[variable];
        return value === undefined ? `${variable} is required: ${issue.message}` : `${variable}=${JSON.stringify(value)} is invalid: ${issue.message}`;
      }),
    );
  }
  return parsed.data as BaseConfig & z.infer<z.ZodObject<S>>;
}

/** {@link loadConfig}, but a bad configuration stops the process with exit code 78 and the message. */
export function loadConfigOrExit<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): BaseConfig & z.infer<z.ZodObject<S>> {
  try {
    return loadConfig(shape, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
