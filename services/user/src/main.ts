import { runMain } from '@faultline/platform';
import { service } from './app.js';

await runMain(service);
