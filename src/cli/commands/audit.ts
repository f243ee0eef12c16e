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
    .description('walk the hash chain of the event log of an existing store (named in the report): finds any edited, inserted or deleted event (exit 3); no store: exit 1')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const progress = progressReporter(!opts.json);
      // Never a new, empty store: a chain that was never written is no evidence of anything.
      const { report, store } = await withStore(async (s) => ({ report: await verifyEventLog(s.db, { onProgress: (d, n) => progress.update('verify events', d, n) }), store: s.description }), { mustExist: true });
      progress.stop();
      if (opts.json) console.log(JSON.stringify({ ...report, store }));
      else {
        console.log(`store: ${store}`);
        for (const p of report.problems) console.log(`✗ ${p.seq === null ? '' : `#${p.seq} `}${p.kind}: ${p.detail}`);
        console.log(report.ok ? `✓ ${report.events} events, chain intact (head #${report.headSeq} ${report.headHash.slice(0, 16)}…)` : `✗ ${report.problems.length} problem(s) in ${report.events} events`);
      }
      if (!report.ok) process.exitCode = EXIT.tampered;
    });
}
