// Mocha global fixture: the tests run against the real native infrastructure. Whatever the
// tests had to start is stopped again at the end (FAULTLINE_KEEP_INFRA=1 keeps it running).
import { infraDown, infraStatus, infraUp, loadConfig } from '../src/index.js';

let startedByTests: string[] = [];

export async function mochaGlobalSetup(): Promise<void> {
  const cfg = loadConfig();
  const before = await infraStatus(cfg);
  const outcome = await infraUp(cfg, { renderer: 'simple' });
  startedByTests = Object.entries(outcome)
    .filter(([name, result]) => result === 'started' && before.find((s) => s.name === name)?.health !== 'ready')
    .map(([name]) => name);
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (process.env.FAULTLINE_KEEP_INFRA === '1' || startedByTests.length === 0) return;
  await infraDown(loadConfig(), { only: startedByTests });
}
