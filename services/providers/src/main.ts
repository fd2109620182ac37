import { loadConfigOrExit, startRuntime } from '@faultline/platform';
import { runtimeOptions } from './app.js';
import { configShape } from './config.js';

const config = loadConfigOrExit(configShape);

try {
  const running = await startRuntime(runtimeOptions(config));
  running.shutdown.installSignalHandlers();
} catch (error) {
  process.stderr.write(`providers failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
