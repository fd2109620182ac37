import { createTestDatabase, unique } from '@faultline/lab/testing';
import { loadConfig, type RunningService, startRuntime } from '@faultline/platform';
import { captureLogger } from '../../../packages/platform/test/data-support.js';
import { runtimeOptions } from '../src/app.js';
import { configShape } from '../src/config.js';

/** The providers service in-process on an ephemeral port, with a fresh database; `restart` keeps the database. */
export async function startProviders() {
  const database = await createTestDatabase();
  const config = loadConfig(configShape, { SERVICE_NAME: 'providers', DATABASE_URL: database.url });
  const start = () => startRuntime(runtimeOptions(config, { logger: captureLogger(`providers-${unique()}`).logger }));
  let service: RunningService = await start();
  return {
    get url() {
      return service.url;
    },
    async restart() {
      await service.stop();
      service = await start();
    },
    async stop() {
      await service.stop();
      await database.drop();
    },
  };
}

/** POST JSON, with an Idempotency-Key when given. */
export const postJson = (url: string, body: unknown, idempotencyKey?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(body),
  });
