import { Command } from 'commander';
import pc from 'picocolors';
import { registerAdminCommands } from './commands/admin.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerComposeCommands } from './commands/compose.js';
import { registerInfraCommands } from './commands/infra.js';
import { registerLoadCommand } from './commands/load.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerServiceCommands } from './commands/services.js';
import { registerSetupCommand } from './commands/setup.js';
import { config } from './commands/shared.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTopologyCommands } from './commands/topology.js';
import { registerTraceCommand } from './commands/trace.js';
import { registerWholeLabCommands } from './commands/whole-lab.js';
import { routeCompose } from './compose/commands.js';
import { LabError } from './errors.js';
import { registerImageCommands } from './images/commands.js';

export { config as labConfig } from './commands/shared.js';

/** The `faultline` program with the lab's commands; other packages add theirs (the chaos commands) before {@link runProgram}. */
export function labProgram(): Command {
  const program = new Command('faultline').description('Faultline lab: toolchain, native infrastructure and status').showHelpAfterError();
  registerSetupCommand(program);
  registerInfraCommands(program);
  registerServiceCommands(program);
  registerWholeLabCommands(program);
  registerStatusCommand(program);
  registerLogsCommand(program);
  registerTraceCommand(program);
  registerComposeCommands(program);
  registerLoadCommand(program);
  registerAuditCommand(program);
  registerAdminCommands(program);
  registerTopologyCommands(program);
  registerImageCommands(program, config);
  return program;
}

/** Parse the command line and run; a failure is printed as what to do (a {@link LabError}), without a stack trace unless DEBUG is set. */
export async function runProgram(program: Command, argv: string[] = process.argv): Promise<void> {
  // `faultline logs | head`: the reader left, so stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  try {
    // `up --compose`, `status --compose` … are the compose commands under their native names.
    await program.parseAsync(routeCompose(argv));
  } catch (error) {
    if (error instanceof LabError) {
      console.error(pc.red(`\nfaultline: ${error.describe()}`));
    } else {
      console.error(pc.red(`\nfaultline: ${error instanceof Error ? error.message : String(error)}`));
      if (process.env.DEBUG) console.error(error);
    }
    process.exitCode = 1;
  }
}
