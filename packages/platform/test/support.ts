import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { type AppError, type BaseConfig, createService, isAppError, loadConfig, type Service, type ServiceKit } from '../src/index.js';
import { captureLogger } from './data-support.js';

/** A logger whose ECS lines are collected in `lines` (parsed) and `raw`. */
export const capturingLogger = (service = 'test') => captureLogger(service);

export const testConfig = (overrides: Record<string, string> = {}): BaseConfig =>
  loadConfig({}, { SERVICE_NAME: 'test-service', SHUTDOWN_TIMEOUT_MS: '5000', ...overrides });

/** Start a service built with the platform on 127.0.0.1 and an ephemeral port. */
export async function startService(routes: (app: Service['app'], kit: ServiceKit) => void, overrides: Record<string, string> = {}) {
  const capture = capturingLogger();
  const service = createService({ config: testConfig(overrides), routes, logger: capture.logger });
  const { port, server } = await service.listen();
  return { service, ...capture, url: `http://127.0.0.1:${port}`, server: server as Server, close: () => service.shutdown.run() };
}

/** The AppError a call rejects with; fails the test when it succeeds or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}
