import { Writable } from 'node:stream';
import winston from 'winston';

export { createTestDatabase } from '../../lab/test/support.js';

import { createLogger, type Logger } from '../src/logging.js';

/** A logger whose ECS lines are kept in `lines` (parsed) and `raw` instead of printed. */
export function captureLogger(service = 'platform-test'): { logger: Logger; lines: Record<string, unknown>[]; raw: string[] } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ service, level: 'debug', transports: [new winston.transports.Stream({ stream })] }), lines, raw };
}
