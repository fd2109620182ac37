import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rabbitmqUrl } from '@faultline/lab';
import { z } from 'zod';
import { createTestDatabase, eventually, lab, unique } from '../../lab/test/support.js';
import {
  createEnvelope,
  defineHandler,
  enqueueEvent,
  loadConfig,
  type RunningService,
  runtimeConfigShape,
  startRuntime,
  withTransaction,
} from '../src/index.js';
import { captureLogger } from './data-support.js';
import { deleteExchange, deleteQueues } from './messaging-support.js';

describe('the service runtime (database, outbox, consumers and HTTP in one call)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let service: RunningService;
  const exchange = `test.runtime.${unique()}`;
  const serviceName = `runtime-${unique()}`;

  before(async () => {
    database = await createTestDatabase();
    const config = loadConfig(runtimeConfigShape, {
      SERVICE_NAME: serviceName,
      DATABASE_URL: database.url,
      AMQP_URL: rabbitmqUrl(lab()),
      EVENTS_EXCHANGE: exchange,
      OUTBOX_POLL_MS: '100',
    });
    service = await startRuntime({
      config,
      logger: captureLogger(serviceName).logger,
      migrations: new URL('./fixtures/runtime-migrations/', import.meta.url),
      outbox: true,
      retryDelaysMs: [50],
      consumers: () => ({
        notes: {
          'note.written': defineHandler(z.object({ noteId: z.uuid() }), async (envelope, tx) => {
            await tx.query('INSERT INTO seen (id) VALUES ($1)', [envelope.data.noteId]);
          }),
        },
      }),
      routes: (app, kit) => {
        app.post('/v1/notes', async (req, res) => {
          const id = randomUUID();
          await withTransaction(kit.pool, async (tx) => {
            await tx.query('INSERT INTO notes (id, text) VALUES ($1, $2)', [id, String(req.body.text)]);
            await enqueueEvent(tx, createEnvelope('note.written', { noteId: id }));
          });
          res.status(201).json({ id });
        });
        app.get('/v1/notes/:id/seen', async (req, res) => {
          const { rowCount } = await kit.pool.query('SELECT 1 FROM seen WHERE id = $1', [req.params.id]);
          res.json({ seen: rowCount === 1 });
        });
      },
    });
  });

  after(async () => {
    await service?.stop();
    await deleteQueues([`${serviceName}.notes`, `${serviceName}.notes.dlq`, `${serviceName}.notes.retry.50ms`]);
    await deleteExchange(exchange);
    await database?.drop();
  });

  it('is ready with its database and broker checks', async () => {
    const report = await eventually('readiness', async () => {
      const response = await fetch(`${service.url}/health/ready`);
      return response.ok ? ((await response.json()) as { checks: Record<string, string> }) : undefined;
    });
    assert.deepEqual(report.checks, { database: 'ok', broker: 'ok' });
  });

  it('publishes an event written in the request transaction through the outbox to its own consumer', async () => {
    const created = await fetch(`${service.url}/v1/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    await eventually('the consumer to record the event', async () => {
      const { seen } = (await (await fetch(`${service.url}/v1/notes/${id}/seen`)).json()) as { seen: boolean };
      return seen || undefined;
    });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(metrics, /outbox_relayed_total\{[^}]*\} [1-9]/);
    assert.match(metrics, /messaging_consumed_total\{[^}]*outcome="acked"[^}]*\} [1-9]/);
  });
});

describe('the runtime onStarted hook', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const serviceName = `started-${unique()}`;
  const configFor = () => loadConfig(runtimeConfigShape, { SERVICE_NAME: serviceName, DATABASE_URL: database.url });
  const migrations = new URL('./fixtures/runtime-migrations/', import.meta.url);

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  it('runs after the migrations and before the service listens; its shutdown hooks run while the database is open', async () => {
    const seen: string[] = [];
    const service = await startRuntime({
      config: configFor(),
      logger: captureLogger(serviceName).logger,
      migrations,
      routes: () => undefined,
      onStarted: async (kit) => {
        // The service's own table exists by now (it did not when background work started inside `routes`).
        await kit.pool.query('SELECT count(*) FROM notes');
        seen.push('started');
        kit.shutdown.onShutdown('worker', async () => {
          await kit.pool.query('SELECT 1');
          seen.push('worker stopped with the database open');
        });
      },
    });
    assert.deepEqual(seen, ['started']);
    assert.equal((await fetch(`${service.url}/health/live`)).status, 200);
    await service.stop();
    assert.deepEqual(seen, ['started', 'worker stopped with the database open']);
  });

  it('stops the service and rejects the start when onStarted fails', async () => {
    let stopped = false;
    await assert.rejects(
      startRuntime({
        config: configFor(),
        logger: captureLogger(serviceName).logger,
        migrations,
        routes: () => undefined,
        onStarted: (kit) => {
          kit.shutdown.onShutdown('probe', () => {
            stopped = true;
          });
          throw new Error('no signing key');
        },
      }),
      /no signing key/,
    );
    assert.equal(stopped, true, 'the shutdown sequence ran');
  });
});
