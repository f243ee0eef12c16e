/**
 * `cityloop demo …`: the demo city of Chongqing rebuilt in the store.
 */
import type { Command } from 'commander';
import { resetDemoCity, DEMO_PASSWORD } from '../../demo/demo-city.ts';
import { progressReporter } from '../progress.ts';
import { withStore } from '../command-context.ts';

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('the demo city of Chongqing');
  demo
    .command('reset')
    .description('wipe the store and rebuild the demo city (38 districts, 1,031 streets, generated communities and grids, centers, units, users)')
    .option('--districts <codes>', 'only these district adcodes, comma-separated (quick demos)')
    .action(async (opts: { districts?: string }) => {
      const progress = progressReporter(true);
      const r = await withStore((store) =>
        resetDemoCity(store, { ...(opts.districts ? { districts: opts.districts.split(',').map((s) => s.trim()) } : {}), onProgress: progress.update }),
      );
      progress.stop();
      console.log(`demo city rebuilt: ${r.jurisdictions} jurisdictions, ${r.centers} centers, ${r.units} units, ${r.categories} categories, ${r.users} users (password "${DEMO_PASSWORD}")`);
    });
}
