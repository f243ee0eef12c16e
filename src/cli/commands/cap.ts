/**
 * `cityloop cap …`: CAP warnings from other systems imported from files.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { openPlatform } from '../../platform.ts';
import type { CityLoopError } from '../../errors.ts';
import { CliFailure, settingsOrFail } from '../command-context.ts';

export function registerCapCommands(program: Command): void {
  const capCmd = program.command('cap').description('CAP 1.2 warnings from other systems');
  capCmd
    .command('import')
    .argument('<files...>', 'CAP messages (XML)')
    .description('import CAP messages: areas become the districts they touch, an alert on each; Update/Cancel follow their references; unsafe or invalid messages are refused with every problem (exit 1)')
    .action(async (files: string[]) => {
      const platform = await openPlatform({ ...settingsOrFail(), demo: false }, { subscribeTelemetry: false });
      let bad = 0;
      try {
        for (const file of files) {
          try {
            const r = await platform.sensing.cap.import(await readFile(file), 'cli');
            console.log(`✓ ${file}: ${r.msgType} ${r.identifier}${r.duplicate ? ' (already imported)' : ''} — ${r.raised.length} alert(s) raised${r.ended ? `, ${r.ended} ended` : ''}${r.outside ? `, ${r.outside} area(s) outside the city` : ''}${r.unmapped ? `, ${r.unmapped} area(s) without coordinates` : ''}`);
          } catch (e) {
            bad += 1;
            const problems = (e as CityLoopError).extra?.problems as { path: string; message: { en: string } }[] | undefined;
            console.error(`✗ ${file}: ${(e as Error).message}`);
            for (const p of problems?.slice(0, 20) ?? []) console.error(`    ${p.path}: ${p.message.en}`);
          }
        }
      } finally {
        await platform.close();
      }
      if (bad > 0) throw new CliFailure(`${bad} CAP file(s) refused`);
    });
}
