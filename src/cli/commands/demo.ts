/**
 * `cityloop demo …`: the demo city of the city pack (CITY_PACK) rebuilt in the store.
 */
import type { Command } from 'commander';
import { progressReporter } from '../../terminal/progress.ts';
import { demoOf, packOrFail, withStore } from '../command-context.ts';

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('the demo city of the city pack (CITY_PACK)');
  demo
    .command('reset')
    .description("wipe the store and rebuild the city pack's demo city (its jurisdictions, centers, units, categories, users; the default pack's is large: use --districts for a quick one)")
    .option('--districts <codes>', 'only these district codes, comma-separated (quick demos)')
    .action(async (opts: { districts?: string }) => {
      const cityDemo = demoOf(await packOrFail());
      const progress = progressReporter(true);
      const r = await withStore((store) =>
        cityDemo.seed(store, { ...(opts.districts ? { districts: opts.districts.split(',').map((s) => s.trim()) } : {}), onProgress: progress.update }),
      );
      progress.stop();
      console.log(`demo city rebuilt: ${r.jurisdictions} jurisdictions, ${r.centers} centers, ${r.units} units, ${r.categories} categories, ${r.users} users (password "${cityDemo.password}")`);
    });
}
