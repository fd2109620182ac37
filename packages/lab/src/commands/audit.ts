import type { Command } from 'commander';
import pc from 'picocolors';
import { type AuditReport, audit } from '../topology/audit.js';
import { table } from '../ui/table.js';
import { config } from './shared.js';

/** `audit`: the invariants through the services' admin APIs. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description("the invariant audit through the services' admin APIs: stock, payments, refunds, ledger, stuck sagas; exit 1 when anything is wrong")
    .option('--stuck-after <seconds>', 'a saga older than this is stuck', (v) => Number(v), 60)
    .option('--json', 'machine-readable output')
    .action(async (options: { stuckAfter: number; json?: boolean }) => {
      const report = await audit(config(), { stuckAfterSec: options.stuckAfter });
      printAuditReport(report, options.json);
    });
}

/** An audit's verdict as the CLI prints it (a table of violations, or JSON); exit code 1 when not clean. */
export function printAuditReport(report: AuditReport, json = false): void {
  if (json) console.log(JSON.stringify(report, null, 2));
  else if (report.clean) console.log(pc.green(`audit clean: ${report.checkedOrders} orders checked, stock, payments, refunds, ledger and sagas consistent`));
  else {
    console.log(
      table(
        ['invariant', 'order', 'what is wrong'],
        report.violations.map((v) => [v.invariant, v.orderId ?? '-', v.detail]),
      ),
    );
    console.log(pc.red(`${report.violations.length} violation(s) in ${report.checkedOrders} orders`));
  }
  if (!report.clean) process.exitCode = 1;
}
