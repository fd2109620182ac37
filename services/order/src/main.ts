import { loadConfigOrExit, startRuntime } from '@faultline/platform';
import { runtimeOptions } from './app.js';
import { orderConfigShape } from './config.js';

const config = loadConfigOrExit(orderConfigShape);
try {
  const options = runtimeOptions(config);
  const service = await startRuntime(options);
  // The worker's stop is already a shutdown hook (it runs before the database closes).
  options.startSagaWorker();
  service.shutdown.installSignalHandlers();
} catch (error) {
  process.stderr.write(`order service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
