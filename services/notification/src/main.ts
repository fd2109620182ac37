import { loadConfigOrExit, startRuntime } from '@faultline/platform';
import { runtimeOptions } from './app.js';
import { configShape } from './config.js';

const config = loadConfigOrExit(configShape);

try {
  const service = await startRuntime(runtimeOptions(config));
  service.shutdown.installSignalHandlers();
  service.logger.info('notification service started', { url: { full: service.url } });
} catch (error) {
  process.stderr.write(`notification service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
