/**
 * `cityloop demo …`: the demo city of the city pack (CITY_PACK) rebuilt in the store.
 */
import type { Command } from 'commander';
import { progressReporter } from '../../terminal/progress.ts';
import { confirmOrRefuse, demoOf, packOrFail, storeOfSettings, withStore } from '../command-context.ts';

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('the demo city of the city pack (CITY_PACK)');
  demo
    .command('reset')
    .description("wipe the store and rebuild the city pack's demo city (its jurisdictions, centers, units, categories, users; the default pack's is large: use --districts for a quick one)")
    .option('--districts <codes>', 'only these district codes, comma-separated (quick demos)')
    .option('--yes', 'wipe without asking (needed when the store holds anything and there is no terminal to ask)')
    .action(async (opts: { districts?: string; yes?: boolean }) => {
      const cityDemo = demoOf(await packOrFail());
      const progress = progressReporter(true);
      const r = await withStore(async (store) => {
        // A store with anything in it is wiped only when confirmed; an empty one has nothing to lose.
        const held = (await store.db.selectFrom('events').select('seq').limit(1).executeTakeFirst()) ?? (await store.db.selectFrom('users').select('id').limit(1).executeTakeFirst());
        if (held) await confirmOrRefuse(`demo reset wipes every case, event, user and device of ${storeOfSettings()}`, opts.yes);
        return cityDemo.seed(store, { ...(opts.districts ? { districts: opts.districts.split(',').map((s) => s.trim()) } : {}), onProgress: progress.update });
      });
      progress.stop();
      console.log(`demo city rebuilt: ${r.jurisdictions} jurisdictions, ${r.centers} centers, ${r.units} units, ${r.categories} categories, ${r.users} users (password "${cityDemo.password}")`);
    });
}
