import { loadConfigOrExit, startRuntime } from '@faultline/platform';
import { productRuntime } from './app.js';
import { productConfigShape } from './config.js';

const config = loadConfigOrExit(productConfigShape);

try {
  const service = await startRuntime(productRuntime(config));
  service.shutdown.installSignalHandlers();
} catch (error) {
  process.stderr.write(`product failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
