/**
 * `cityloop bench <name>`: the benchmarks of bench/, loaded only when asked for.
 */
import type { Command } from 'commander';
import { CliFailure, EXIT } from '../command-context.ts';

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .argument('<name>', 'geo | cases | plans | appeals | ingest | all; or, not part of all: models (the flood and terrain models on 16 M cells, Merewether and Malpasset: minutes, needs ../shared/data), impact (灾害态势研判 over a 1000 × 1000 raster), ui (the cockpit in headless Chromium over 100,000 cases: minutes)')
    .option('--json', 'print one JSON object of figures as the last line')
    .option('--seconds <n>', 'measuring time per figure', '5')
    .description('measure the figures in the README (resolver lookups/s, cases/s on SQLite and PostgreSQL, plans/s and nearest-asset queries/s)')
    .action(async (name: string, opts: { json?: boolean; seconds: string }) => {
      const { runBench, BENCHMARKS } = await import('../../../bench/run.ts');
      const seconds = Number(opts.seconds);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new CliFailure('--seconds must be a positive number', EXIT.usage);
      if (!(BENCHMARKS as readonly string[]).includes(name)) throw new CliFailure(`unknown benchmark ${name}: ${BENCHMARKS.join(', ')}`, EXIT.usage);
      const result = await runBench(name as (typeof BENCHMARKS)[number], { seconds, log: (m) => process.stderr.write(`${m}\n`) });
      console.log(opts.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
    });
}
