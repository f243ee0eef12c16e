/**
 * `cityloop import …`: jurisdictions and asset layers from GeoJSON, all or nothing.
 */
import { Option, type Command } from 'commander';
import { LEVELS, type JurisdictionLevel } from '../../geo/jurisdiction.ts';
import { parseJurisdictionFeatureCollection } from '../../geo/import-jurisdictions.ts';
import { JurisdictionResolver } from '../../geo/resolver.ts';
import { insertJurisdictions, loadJurisdictions } from '../../geo/jurisdiction-repository.ts';
import { ASSET_TYPES, type AssetType } from '../../assets/asset.ts';
import { parseAssetFeatureCollection } from '../../assets/import-assets.ts';
import { deleteAssetsOfType, insertAssets, loadAssets } from '../../assets/asset-repository.ts';
import { progressReporter } from '../../terminal/progress.ts';
import { CliFailure, confirmOrRefuse, EXIT, osUser, readJsonFile, refuseIfInvalid, settingsOrFail, storeOfSettings, withStore } from '../command-context.ts';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { systemClock } from '../../clock.ts';
import { isCityLoopError } from '../../errors.ts';
import { readGeoTiff } from '../../raster/geotiff-reader.ts';
import { RasterCatalog, rasterDir } from '../../raster/raster-catalog-store.ts';
import { parsePopulationCsv, parsePopulationGeoJson, POPULATION_SOURCES, savePopulation, type PopulationSource } from '../../analyses/impact/grid-population.ts';

export function registerImportCommands(program: Command): void {
  const imp = program.command('import').description('import data into the store');
  imp
    .command('jurisdictions')
    .argument('<file>', 'GeoJSON FeatureCollection (GCJ-02 coordinates)')
    .addOption(new Option('--level <level>', 'level of every feature in the file').choices([...LEVELS]).makeOptionMandatory())
    .option('--code-property <name>', 'property holding the code (default: code or adcode)')
    .option('--name-property <name>', 'property holding the name (default: name)')
    .option('--replace', 'replace jurisdictions whose code already exists (asks first, or --yes)')
    .option('--yes', 'replace without asking')
    .option('--dry-run', 'check the file and report, change nothing')
    .description('import jurisdictions of one level; invalid features are reported by index and nothing is imported')
    .action(async (file: string, opts: { level: JurisdictionLevel; codeProperty?: string; nameProperty?: string; replace?: boolean; yes?: boolean; dryRun?: boolean }) => {
      const input = await readJsonFile(file);
      const progress = progressReporter(true);
      await withStore(async (store) => {
        const existing = await loadJurisdictions(store.db);
        const parents = opts.level === 'city' ? null : JurisdictionResolver.build(existing);
        const { records, errors } = parseJurisdictionFeatureCollection(input, {
          level: opts.level,
          parents,
          ...(opts.codeProperty ? { codeProperty: opts.codeProperty } : {}),
          ...(opts.nameProperty ? { nameProperty: opts.nameProperty } : {}),
          onProgress: (d, n) => progress.update('check features', d, n),
        });
        progress.stop();
        const known = new Set(existing.map((r) => r.code));
        const clashes = records.filter((r) => known.has(r.code));
        if (clashes.length > 0 && !opts.replace) {
          for (const r of clashes.slice(0, 20)) errors.push({ index: records.indexOf(r), reason: `code ${r.code} already exists (use --replace)` });
        }
        refuseIfInvalid(file, errors);
        if (opts.dryRun) {
          console.log(`${records.length} ${opts.level} feature(s) are valid (dry run: nothing imported)`);
          return;
        }
        if (clashes.length > 0) await confirmOrRefuse(`import replaces ${clashes.length} ${opts.level} jurisdiction(s) of ${storeOfSettings()}`, opts.yes);
        await store.db.transaction().execute(async (tx) => {
          if (clashes.length > 0) {
            for (let i = 0; i < clashes.length; i += 500) await tx.deleteFrom('jurisdictions').where('code', 'in', clashes.slice(i, i + 500).map((r) => r.code)).execute();
          }
          await insertJurisdictions(tx, records, (d, n) => progress.update('store', d, n));
        });
        progress.stop();
        console.log(`imported ${records.length} ${opts.level} jurisdiction(s)${clashes.length ? ` (${clashes.length} replaced)` : ''}`);
      });
    });

  imp
    .command('assets')
    .argument('<file>', 'GeoJSON FeatureCollection of one asset type (GCJ-02 coordinates)')
    .addOption(new Option('--type <type>', 'asset type of every feature').choices([...ASSET_TYPES]).makeOptionMandatory())
    .option('--id-property <name>', 'property holding the asset id (default: the feature id or id)')
    .option('--replace-type', 'replace every asset of this type (a new survey of the layer)')
    .option('--dry-run', 'check the file and report, change nothing')
    .description('import an asset layer (water mains, manholes, signals, places …); invalid features are reported by index and nothing is imported')
    .action(async (file: string, opts: { type: AssetType; idProperty?: string; replaceType?: boolean; dryRun?: boolean }) => {
      const input = await readJsonFile(file);
      const progress = progressReporter(true);
      await withStore(async (store) => {
        const resolver = JurisdictionResolver.build(await loadJurisdictions(store.db));
        const { records, errors } = parseAssetFeatureCollection(input, { type: opts.type, resolver, ...(opts.idProperty ? { idProperty: opts.idProperty } : {}), onProgress: (d: number, n: number) => progress.update('check features', d, n) });
        progress.stop();
        if (!opts.replaceType) {
          const ids = new Set((await loadAssets(store.db)).map((a) => a.id));
          records.forEach((r, i) => {
            if (ids.has(r.id)) errors.push({ index: i, reason: `asset ${r.id} already exists (use --replace-type to replace the layer)` });
          });
        }
        refuseIfInvalid(file, errors);
        if (opts.dryRun) {
          console.log(`${records.length} ${opts.type} feature(s) are valid (dry run: nothing imported)`);
          return;
        }
        await store.db.transaction().execute(async (tx) => {
          if (opts.replaceType) await deleteAssetsOfType(tx, opts.type);
          await insertAssets(tx, records, (d, n) => progress.update('store', d, n));
        });
        progress.stop();
        console.log(`imported ${records.length} ${opts.type} asset(s)`);
      });
    });

  imp
    .command('population')
    .argument('<file>', 'CSV (header: grid_code or code, people or population) or GeoJSON FeatureCollection with those properties')
    .addOption(new Option('--source <source>', 'where the figures come from').choices(POPULATION_SOURCES.filter((s) => s !== 'generated')).default('census'))
    .option('--dry-run', 'check the file and report, change nothing')
    .description('import people per grid (the layer a flood impact counts people by); figures of the grids named replace the old ones, all or nothing')
    .action(async (file: string, opts: { source: PopulationSource; dryRun?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new CliFailure(`cannot read ${file}: ${(e as Error).message}`);
      }
      await withStore(async (store) => {
        const grids = new Set((await loadJurisdictions(store.db)).filter((r) => r.level === 'grid').map((r) => r.code));
        let parsed;
        if (/\.(geo)?json$/i.test(file)) {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch (e) {
            throw new CliFailure(`cannot read ${file} as JSON: ${(e as Error).message}`);
          }
          parsed = parsePopulationGeoJson(json, grids);
        } else {
          parsed = parsePopulationCsv(text, grids);
        }
        if (parsed.problems.length > 0) {
          for (const p of parsed.problems.slice(0, 200)) console.error(`${p.at}: ${p.reason}`);
          throw new CliFailure(`${parsed.problems.length} problem(s) in ${file}: nothing was imported`);
        }
        if (opts.dryRun) {
          console.log(`${parsed.rows.length} grid figure(s) are valid (dry run: nothing imported)`);
          return;
        }
        const at = new Date().toISOString();
        await store.db.transaction().execute((tx) => savePopulation(tx, parsed.rows, opts.source, `file:${file}`, at));
        console.log(`imported the population of ${parsed.rows.length} grid(s) (source: ${opts.source}), ${parsed.rows.reduce((s, r) => s + r.people, 0)} people`);
      });
    });

  imp
    .command('dem')
    .argument('<file>', 'GeoTIFF (first band; an EPSG projected CRS or WGS-84; nodata; Float32/64, Int/UInt 8–32)')
    .option('--name <name>', 'a name people know it by (default: the file name)')
    .option('--center <id>', 'the center it belongs to (default: the city center)')
    .description('import a digital elevation model into the raster catalogue (kept tiled and compressed under DATA_DIR/rasters)')
    .action(async (file: string, opts: { name?: string; center?: string }) => {
      const settings = settingsOrFail();
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (e) {
        throw new CliFailure(`cannot read ${file}: ${(e as Error).message}`);
      }
      const progress = progressReporter(true);
      progress.update('read GeoTIFF', 0, 1);
      let grid;
      try {
        grid = await readGeoTiff(bytes, { maxCells: settings.rasterMaxCells });
      } catch (e) {
        progress.stop();
        // A file that is not a usable GeoTIFF is bad input (exit 1) with the reason; never a stack.
        if (isCityLoopError(e)) throw new CliFailure(`${file}: ${e.message} (nothing was imported)`);
        throw e;
      }
      progress.update('read GeoTIFF', 1, 1);
      await withStore(async (store) => {
        const centers = await store.db.selectFrom('centers').select(['id', 'tier', 'name']).execute();
        const center = opts.center ? centers.find((c) => c.id === opts.center) : centers.find((c) => c.tier === 'city');
        if (!center) {
          progress.stop();
          throw new CliFailure(opts.center ? `no center ${opts.center} in ${storeOfSettings()} (see GET /api/v1/centers)` : `${storeOfSettings()} has no city center: name the owner with --center`, EXIT.usage);
        }
        const catalog = new RasterCatalog({ db: store.db, dir: rasterDir(settings.dataDir), clock: systemClock });
        const record = await catalog.save(grid, { name: opts.name ?? basename(file), kind: 'dem', ownerCenterId: center.id, createdBy: `cli:${osUser()}`, sourceFile: basename(file) }, (f) => progress.update('store tiles', Math.round(f * 100), 100));
        progress.stop();
        console.log(`imported DEM ${record.id} "${record.name}": ${record.width} × ${record.height} cells, ${record.crs}, ${record.min} to ${record.max}, for center ${center.id}`);
      });
    });
}
