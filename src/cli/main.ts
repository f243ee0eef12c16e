/**
 * The `cityloop` command line: the program, its command groups (one module each under
 * `commands/`) and `runCli`, which turns every outcome into an exit code (`EXIT`).
 */
import { Command, CommanderError } from 'commander';
import { CliFailure, EXIT, packOrFail } from './command-context.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerDemoCommands } from './commands/demo.ts';
import { registerImportCommands } from './commands/import.ts';
import { registerDeviceCommands } from './commands/devices.ts';
import { registerCapCommands } from './commands/cap.ts';
import { registerPlanCommands } from './commands/plans.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerTokenCommands } from './commands/token.ts';
import { registerBenchCommand } from './commands/bench.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerModelCommands } from './commands/model.ts';
import { registerClassifierCommands } from '../../tools/classifier-training/classifier-commands.ts';

export { EXIT };

export function buildCli(): Command {
  const program = new Command('cityloop')
    .description('CityLoop — 城市运行和治理中心: cases, tasks and the map of a city')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();

  registerServeCommand(program);
  registerDemoCommands(program);
  registerImportCommands(program);
  registerDeviceCommands(program);
  registerCapCommands(program);
  registerPlanCommands(program);
  registerAuditCommands(program);
  registerTokenCommands(program);
  registerBenchCommand(program);
  registerSimulateCommand(program);
  registerModelCommands(program);
  registerClassifierCommands(program, async () => (await packOrFail()).appealLabelCategories);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof CliFailure) {
      console.error(`cityloop: ${e.message}`);
      return e.exitCode;
    }
    console.error(`cityloop: ${(e as Error).message ?? String(e)}`);
    return EXIT.failed;
  }
}
