import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import winston from 'winston';
import { type BaseConfig, createLogger, createService, type Logger, loadConfig, type Service, type ServiceKit } from '../src/index.js';

/** A logger whose ECS lines are collected in `lines` (parsed). */
export function capturingLogger(service = 'test'): { logger: Logger; lines: Record<string, unknown>[]; raw: string[] } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ service, level: 'debug', transports: [new winston.transports.Stream({ stream })] }), lines, raw };
}

export const testConfig = (overrides: Record<string, string> = {}): BaseConfig =>
  loadConfig({}, { SERVICE_NAME: 'test-service', SHUTDOWN_TIMEOUT_MS: '5000', ...overrides });

/** Start a service built with the platform on 127.0.0.1 and an ephemeral port. */
export async function startService(routes: (app: Service['app'], kit: ServiceKit) => void, overrides: Record<string, string> = {}) {
  const capture = capturingLogger();
  const service = createService({ config: testConfig(overrides), routes, logger: capture.logger });
  const { port, server } = await service.listen();
  return { service, ...capture, url: `http://127.0.0.1:${port}`, server: server as Server, close: () => service.shutdown.run() };
}
