import { loadConfigOrExit } from '@faultline/platform';
import { startUserService } from './app.js';
import { userConfigShape } from './config.js';

const config = loadConfigOrExit(userConfigShape);
try {
  const service = await startUserService(config);
  service.shutdown.installSignalHandlers();
} catch (error) {
  process.stderr.write(`user service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
