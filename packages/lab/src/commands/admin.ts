import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { adminCredentials } from '../topology/admin.js';
import { adminToken } from '../topology/audit.js';
import { config } from './shared.js';

/** `admin credentials | token`: the lab's admin account, for the admin APIs (ledger, audits, dead letters, catalog edits). */
export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description("the lab's admin account (for the services' admin APIs)");
  admin
    .command('credentials')
    .description(`the admin's e-mail and password (generated once, kept in .faultline/admin.json)`)
    .action(async () => {
      const cfg = config();
      const { email, password } = await adminCredentials(cfg);
      console.log(`email:    ${email}\npassword: ${password}`);
      console.log(pc.dim(`(from ${path.join(cfg.stateDir, 'admin.json')}; log in with POST /api/auth/login)`));
    });
  admin
    .command('token')
    .description('log in as the admin and print a bearer token (15 min), e.g. curl -H "authorization: Bearer $(npm run -s faultline -- admin token)"')
    .action(async () => {
      console.log(await adminToken(config()));
    });
}
