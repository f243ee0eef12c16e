/**
 * `cityloop devices …`: the device registry filled from CSV or GeoJSON, new secrets written to a
 * private file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { openPlatform } from '../../platform.ts';
import { commandLinePrincipal } from '../../auth/principal.ts';
import { progressReporter } from '../../terminal/progress.ts';
import { CliFailure, osUser, settingsOrFail } from '../command-context.ts';

export function registerDeviceCommands(program: Command): void {
  const devicesCmd = program.command('devices').description('设备: the device registry');
  devicesCmd
    .command('import')
    .argument('<file>', 'CSV with a header row (id,type,name,lon,lat,crs,assetId,unitId,thresholds,…) or a GeoJSON FeatureCollection of points')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'geojson']))
    .option('--dry-run', 'check the file and report, change nothing')
    .option('--no-credentials', 'register new devices without MQTT secrets')
    .option('--secrets-out <file>', 'where to write the new devices\' secrets (JSON, mode 0600; default <file>.secrets.json) — they are kept nowhere else')
    .description('import devices all or nothing: every bad row is listed and nothing is written; existing ids are updated')
    .action(async (file: string, opts: { format?: 'csv' | 'geojson'; dryRun?: boolean; credentials: boolean; secretsOut?: string }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new CliFailure(`cannot read ${file}: ${(e as Error).message}`);
      }
      const format = opts.format ?? (/\.csv$/i.test(file) ? 'csv' : 'geojson');
      const platform = await openPlatform({ ...settingsOrFail(), demo: false }, { subscribeTelemetry: false });
      try {
        const progress = progressReporter(true);
        const r = await platform.sensing.devices.importFile(text, format, { dryRun: opts.dryRun ?? false, credentials: opts.credentials, onProgress: (d, n) => progress.update('store devices', d, n) }, { actor: commandLinePrincipal(osUser()) });
        progress.stop();
        if (r.errors.length > 0) {
          for (const e of r.errors.slice(0, 50)) console.error(`${file}: ${e.index < 0 ? '' : `${format === 'csv' ? 'row' : 'feature'} ${e.index}: `}${e.errors.join('; ')}`);
          throw new CliFailure(`${r.errors.length} row(s) refused; nothing was imported`);
        }
        if (opts.dryRun) {
          console.log(`${r.created} new and ${r.updated} existing device(s) are valid (dry run: nothing imported)`);
          return;
        }
        console.log(`imported ${r.created} new and updated ${r.updated} device(s)`);
        if (r.secrets.length > 0) {
          const out = opts.secretsOut ?? `${file}.secrets.json`;
          await writeFile(out, JSON.stringify(Object.fromEntries(r.secrets.map((x) => [x.id, x.secret])), null, 2), { mode: 0o600 });
          console.log(`the ${r.secrets.length} new device secret(s) are in ${out} (shown nowhere else)`);
        }
      } finally {
        await platform.close();
      }
    });
}
