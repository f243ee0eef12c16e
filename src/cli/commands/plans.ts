/**
 * `cityloop plans …`: plan files checked, the stored plans listed, a plan simulated (推演) for a
 * hypothetical case.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { openPlatform } from '../../platform.ts';
import { parsePlan, PlanError } from '../../plans/plan-definition.ts';
import { CityLoopError } from '../../errors.ts';
import { CliFailure, EXIT, planCatalogue, settingsOrFail } from '../command-context.ts';

export function registerPlanCommands(program: Command): void {
  const plans = program.command('plans').description('预案: plans as data');
  plans
    .command('check')
    .argument('<files...>', 'plan YAML files')
    .description('validate plan files; every problem is printed with its path, line and expression (exit 1 if any)')
    .action(async (files: string[]) => {
      const { knownCategories, knownUnitKinds, source } = await planCatalogue();
      console.log(`checking against ${source}`);
      let bad = 0;
      for (const file of files) {
        try {
          const def = parsePlan(await readFile(file, 'utf8'), { fileName: file, knownUnitKinds, knownCategories });
          console.log(`✓ ${file}: ${def.id} ${def.name} (${def.tasks.length} tasks, ${def.actions.length} actions)`);
        } catch (e) {
          bad += 1;
          console.error(e instanceof PlanError ? `✗ ${e.message}` : `✗ ${file}: ${(e as Error).message}`);
        }
      }
      if (bad > 0) throw new CliFailure(`${bad} plan file(s) refused`);
    });
  plans
    .command('list')
    .description('the newest version of every plan in the store')
    .action(async () => {
      const platform = await openPlatform({ ...settingsOrFail(), demo: false });
      try {
        for (const c of platform.plans.candidates().sort((a, b) => a.plan.id.localeCompare(b.plan.id))) console.log(`${c.plan.id}\tv${c.version}\t${c.plan.name}`);
      } finally {
        await platform.close();
      }
    });
  plans
    .command('simulate')
    .argument('[plan]', 'plan id (default: whichever plan applies)')
    .requiredOption('--category <code>', 'category of the hypothetical case')
    .requiredOption('--lng <lng>', 'longitude')
    .requiredOption('--lat <lat>', 'latitude')
    .addOption(new Option('--crs <crs>', 'datum of lng/lat').choices(['gcj02', 'wgs84']).default('gcj02'))
    .option('--source <source>', 'source of the case', 'inspection')
    .description('推演: dry run of a plan for a hypothetical case — level, tasks with their units, actions; changes nothing')
    .action(async (planId: string | undefined, opts: { category: string; lng: string; lat: string; crs: 'gcj02' | 'wgs84'; source: string }) => {
      const platform = await openPlatform({ ...settingsOrFail(), demo: false });
      try {
        const c = platform.planner.hypotheticalCase({ categoryCode: opts.category, source: opts.source, lng: Number(opts.lng), lat: Number(opts.lat), crs: opts.crs });
        const run = platform.planner.planFor(c, planId);
        console.log(JSON.stringify(run, null, 2));
        if (run.problems.length > 0) process.exitCode = EXIT.failed;
      } catch (e) {
        if (e instanceof CityLoopError) throw new CliFailure(e.message);
        throw e;
      } finally {
        await platform.close();
      }
    });
}
