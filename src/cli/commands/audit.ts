/**
 * `cityloop audit …`: the event log's hash chain verified.
 */
import type { Command } from 'commander';
import { verifyEventLog } from '../../events/event-log.ts';
import { progressReporter } from '../../terminal/progress.ts';
import { EXIT, withStore } from '../command-context.ts';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('walk the hash chain of the event log: finds any edited, inserted or deleted event (exit 3)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const progress = progressReporter(!opts.json);
      const report = await withStore((store) => verifyEventLog(store.db, { onProgress: (d, n) => progress.update('verify events', d, n) }));
      progress.stop();
      if (opts.json) console.log(JSON.stringify(report));
      else {
        for (const p of report.problems) console.log(`✗ ${p.seq === null ? '' : `#${p.seq} `}${p.kind}: ${p.detail}`);
        console.log(report.ok ? `✓ ${report.events} events, chain intact (head #${report.headSeq} ${report.headHash.slice(0, 16)}…)` : `✗ ${report.problems.length} problem(s) in ${report.events} events`);
      }
      if (!report.ok) process.exitCode = EXIT.tampered;
    });
}
