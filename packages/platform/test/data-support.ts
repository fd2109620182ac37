import { Writable } from 'node:stream';
import { postgresUrl } from '@faultline/lab';
import pg from 'pg';
import winston from 'winston';
import { lab, unique } from '../../lab/test/support.js';
import { createLogger, type Logger } from '../src/logging.js';

/** A logger whose ECS lines are kept in `lines` (parsed) instead of printed. */
export function captureLogger(service = 'platform-test'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ service, level: 'debug', transports: [new winston.transports.Stream({ stream })] }), lines };
}

/** A fresh database for one test file, dropped (with its connections) by `drop`. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `t_${unique()}`;
  const admin = new pg.Client({ connectionString: await postgresUrl(lab()) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: await postgresUrl(lab(), name),
    async drop() {
      const client = new pg.Client({ connectionString: await postgresUrl(lab()) });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
