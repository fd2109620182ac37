import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LabError } from './errors.js';
import { PORT_TABLE, type PortName, type Ports, portEnvVar } from './ports.js';

/** The lab's settings, read once from the environment (the only place `process.env` is read). */
export interface LabConfig {
  /** Repository root (the folder holding the root package.json). */
  readonly root: string;
  /** Where the user typed the command (npm's INIT_CWD: `npm run` itself runs in the root); paths they give resolve here. */
  readonly cwd: string;
  /** All runtime state: data, logs, pid files, generated configs. */
  readonly stateDir: string;
  /** Where the Go-built tools live (`<toolsDir>/bin`). */
  readonly toolsDir: string;
  readonly ports: Ports;
  /** Seconds each component gets to become ready. */
  readonly readyTimeoutSec: number;
  /** How services run: compiled JavaScript from `dist/` (default) or TypeScript through tsx. */
  readonly serviceRuntime: 'compiled' | 'tsx';
  /** Extra Node flags for every service process (`--cpu-prof --cpu-prof-dir=…` to profile; Node refuses those in NODE_OPTIONS). */
  readonly serviceNodeFlags: readonly string[];
  /** RabbitMQ management API user as `user:password` (the native node's `guest:guest` when absent). */
  readonly rabbitmqCredentials?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const portValue = z.coerce.number().int().min(1024).max(65535);

const envSchema = z.object({
  FAULTLINE_STATE_DIR: z.string().min(1).optional(),
  FAULTLINE_TOOLS_DIR: z.string().min(1).optional(),
  FAULTLINE_READY_TIMEOUT: z.coerce.number().int().positive().default(90),
  FAULTLINE_SERVICE_RUNTIME: z.enum(['compiled', 'tsx']).default('compiled'),
  FAULTLINE_SERVICE_NODE_FLAGS: z
    .string()
    .default('')
    .transform((text) => text.split(/\s+/).filter(Boolean))
    .refine((flags) => flags.every((flag) => flag.startsWith('-')), 'expected Node flags separated by spaces, each starting with -'),
});

/** The kernel's range for outgoing connections' local ports (a listener there can lose its port to them). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux: assume the IANA range
  }
  return [49152, 65535];
}

/** Parse the environment into a {@link LabConfig}; an invalid variable is a {@link LabError} naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LabConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LabError(`invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`, {
      hint: 'fix or unset it and run the command again',
    });
  }
  const ports = {} as Record<PortName, number>;
  for (const spec of PORT_TABLE) {
    const variable = portEnvVar(spec.name);
    const raw = env[variable];
    if (raw === undefined || raw === '') {
      ports[spec.name] = spec.port;
      continue;
    }
    const port = portValue.safeParse(raw);
    if (!port.success) {
      throw new LabError(`invalid environment variable ${variable}=${raw}: expected a port number 1024–65535`, {
        hint: `unset ${variable} to use the default ${spec.port}`,
      });
    }
    const [low, high] = ephemeralRange();
    if (port.data >= low && port.data <= high) {
      throw new LabError(`invalid environment variable ${variable}=${raw}: inside the ephemeral port range ${low}–${high}`, {
        hint: `outgoing connections may take that port at any moment; choose one below ${low}`,
      });
    }
    ports[spec.name] = port.data;
  }
  const taken = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    const other = taken.get(port);
    if (other) throw new LabError(`ports ${other} and ${name} are both set to ${port}`, { hint: 'give each its own port' });
    taken.set(port, name);
  }
  return {
    root,
    cwd: path.resolve(env.INIT_CWD || process.cwd()),
    stateDir: path.resolve(root, parsed.data.FAULTLINE_STATE_DIR ?? '.faultline'),
    toolsDir: path.resolve(root, parsed.data.FAULTLINE_TOOLS_DIR ?? '.tools'),
    ports,
    readyTimeoutSec: parsed.data.FAULTLINE_READY_TIMEOUT,
    serviceRuntime: parsed.data.FAULTLINE_SERVICE_RUNTIME,
    serviceNodeFlags: parsed.data.FAULTLINE_SERVICE_NODE_FLAGS,
  };
}

/** A path the user typed, made absolute against where they typed it (not the clone's root, where `npm run` runs). */
export const userPath = (cfg: LabConfig, file: string): string => path.resolve(cfg.cwd, file);
