/**
 * `cityloop model fill|lake|flood|dambreak`: a model run from the command line, on a GeoTIFF file or
 * a stored raster, in this process (no queue, nothing stored): the inputs are read and checked as
 * the API reads them (a refusal names the field), a progress bar runs on stderr, every layer is
 * written as a GeoTIFF into --out-dir and the summary printed (--json: as JSON on stdout).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { ANALYSIS_MODELS, type AnalysisModel } from '../../analyses/analysis-model.ts';
import { normalizeInputs, placeInputs } from '../../analyses/models/model-inputs.ts';
import { GridPlacer } from '../../analyses/models/model-job.ts';
import { runModel } from '../../analyses/models/run-model.ts';
import { summarize } from '../../analyses/analysis-summary.ts';
import { DATUMS, type Datum } from '../../analyses/input-reader.ts';
import { CityLoopError } from '../../errors.ts';
import type { Grid } from '../../raster/grid.ts';
import { terrainOf } from '../../raster/grid.ts';
import { readGeoTiff } from '../../raster/geotiff-reader.ts';
import { crsTransform } from '../../raster/raster-crs.ts';
import { RasterCatalog, rasterDir } from '../../raster/raster-catalog-store.ts';
import { writeGridGeoTiff } from '../../raster/grid-geotiff-writer.ts';
import { progressReporter } from '../../terminal/progress.ts';
import { CliFailure, EXIT, readJsonFile, settingsOrFail, withStore } from '../command-context.ts';

interface ModelOptions {
  dem?: string;
  raster?: string;
  inputs?: string;
  datum?: Datum;
  seed?: string;
  level?: string;
  rain?: string;
  duration?: string;
  outputInterval?: string;
  streamThreshold?: string;
  outDir?: string;
  snapshots?: boolean;
  json?: boolean;
  progress?: boolean;
}

function numberOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliFailure(`--${name} must be a number, got "${v}"`, EXIT.usage);
  return n;
}

/** The inputs as the API takes them: the --inputs file, with the options written over it. */
export async function inputsOfOptions(opts: ModelOptions): Promise<Record<string, unknown>> {
  const base = opts.inputs ? await readJsonFile(opts.inputs) : {};
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new CliFailure(`${opts.inputs}: the inputs must be a JSON object`, EXIT.usage);
  const inputs: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  if (opts.datum) inputs.datum = opts.datum;
  if (opts.seed !== undefined) {
    const [lng, lat] = opts.seed.split(',').map((s) => numberOption(s, 'seed'));
    if (lng === undefined || lat === undefined) throw new CliFailure('--seed must be lng,lat', EXIT.usage);
    inputs.seed = { lng, lat };
  }
  const level = numberOption(opts.level, 'level');
  if (level !== undefined) inputs.levelM = level;
  const rain = numberOption(opts.rain, 'rain');
  // A steady rain over the whole raster: the quick question "what does X mm/h do here".
  if (rain !== undefined) inputs.rainfall = [{ hyetograph: [{ t: 0, value: rain }] }];
  const duration = numberOption(opts.duration, 'duration');
  if (duration !== undefined) inputs.durationS = duration;
  const interval = numberOption(opts.outputInterval, 'output-interval');
  if (interval !== undefined) inputs.outputIntervalS = interval;
  const threshold = numberOption(opts.streamThreshold, 'stream-threshold');
  if (threshold !== undefined) inputs.streamThresholdCells = threshold;
  return inputs;
}

async function gridOf(opts: ModelOptions): Promise<Grid> {
  if ((opts.dem === undefined) === (opts.raster === undefined)) throw new CliFailure('name the terrain: --dem FILE.tif or --raster ID (one of them)', EXIT.usage);
  try {
    if (opts.dem !== undefined) {
      let bytes: Buffer;
      try {
        bytes = await readFile(opts.dem);
      } catch (e) {
        throw new CliFailure(`cannot read ${opts.dem}: ${(e as Error).message}`);
      }
      return await readGeoTiff(bytes, { maxCells: settingsOrFail().rasterMaxCells });
    }
    const dataDir = settingsOrFail().dataDir;
    return await withStore((store) => new RasterCatalog({ db: store.db, dir: rasterDir(dataDir), clock: { now: () => new Date() } }).load(opts.raster!), { mustExist: true });
  } catch (e) {
    if (e instanceof CityLoopError) throw new CliFailure(`${opts.dem ?? `raster ${opts.raster}`}: ${e.message}`);
    throw e;
  }
}

export async function runModelCommand(model: AnalysisModel, opts: ModelOptions): Promise<void> {
  const rawInputs = await inputsOfOptions(opts);
  const grid = await gridOf(opts);
  let job;
  try {
    const inputs = normalizeInputs(model, rawInputs);
    let fromWgs84: (lng: number, lat: number) => [number, number] = () => [NaN, NaN];
    if (model !== 'fill') fromWgs84 = crsTransform(grid.crs).fromWgs84;
    job = placeInputs(model, inputs, new GridPlacer(grid, inputs.datum, fromWgs84));
  } catch (e) {
    if (e instanceof CityLoopError) throw new CliFailure(`${fieldOf(e)}${e.message}`, EXIT.usage);
    throw e;
  }
  const progress = progressReporter(opts.progress !== false);
  const started = performance.now();
  let output;
  try {
    output = await runModel(grid, job, { threads: 1, onProgress: (f) => progress.update(model, Math.round(Math.min(1, Math.max(0, f)) * 100), 100) });
  } catch (e) {
    progress.stop();
    if (e instanceof CityLoopError) throw new CliFailure(`${fieldOf(e)}${e.message}`, EXIT.usage);
    throw new CliFailure(`the model failed: ${(e as Error).message}`);
  }
  progress.stop();
  const t = terrainOf(grid);
  const summary = summarize(output, t.dx * t.dy, (performance.now() - started) / 1000);
  const files: string[] = [];
  if (opts.outDir) {
    await mkdir(opts.outDir, { recursive: true });
    for (const l of output.layers) {
      if (l.t !== undefined && !opts.snapshots) continue;
      const file = join(opts.outDir, `${l.name}.tif`);
      await writeFile(file, Buffer.from(writeGridGeoTiff(grid, l.data)));
      files.push(file);
    }
  }
  if (opts.json) {
    console.log(JSON.stringify({ model, summary, layers: output.layers.map((l) => ({ name: l.name, unit: l.unit, ...(l.t !== undefined ? { t: l.t } : {}) })), files }, null, 2));
    return;
  }
  console.log(`${model}: ${summary.cells} cell(s), ${summary.floodedAreaM2} m², ${summary.volumeM3} m³, max depth ${summary.maxDepthM} m${summary.massBalanceErrorPct !== undefined ? `, mass balance error ${summary.massBalanceErrorPct} %` : ''}, ${summary.wallSeconds} s`);
  for (const f of files) console.log(`wrote ${f}`);
}

function fieldOf(e: CityLoopError): string {
  const field = e.extra?.field;
  return typeof field === 'string' && !e.message.includes(field) ? `${field}: ` : '';
}

export function registerModelCommands(program: Command): void {
  const cmd = program.command('model').description('run a flow model (fill, lake, flood, dambreak) on a GeoTIFF or a stored raster, in this process');
  for (const model of ANALYSIS_MODELS) {
    cmd
      .command(model)
      .description({ fill: 'fill depressions (filled DEM and fill depth)', lake: 'the lake at a water level from a seed point (--seed lng,lat --level m)', flood: 'flash flood by the local-inertial model (--rain mm/h --duration s, or --inputs)', dambreak: 'dam break by the shallow-water model (--inputs with dam.crestLine …)' }[model])
      .option('--dem <file>', 'the terrain as a GeoTIFF file')
      .option('--raster <id>', 'the terrain as a stored raster (DATA_DIR / DATABASE_URL)')
      .option('--inputs <file>', 'the inputs as JSON, as POST /api/v1/analyses takes them (docs/reference/analyses.md)')
      .addOption(new Option('--datum <datum>', 'datum of the coordinates (default gcj02)').choices([...DATUMS]))
      .option('--seed <lng,lat>', 'lake: the seed point')
      .option('--level <m>', 'lake: the water level, metres')
      .option('--rain <mm/h>', 'flood: a steady rain over the whole raster')
      .option('--duration <s>', 'flood, dambreak: seconds to simulate')
      .option('--output-interval <s>', 'flood, dambreak: seconds between depth snapshots')
      .option('--stream-threshold <cells>', 'fill: cells draining into a cell for it to be a stream')
      .option('--out-dir <dir>', 'write every layer as <name>.tif here')
      .option('--snapshots', 'with --out-dir: the depth snapshots too')
      .option('--json', 'print the summary as JSON on stdout')
      .option('--no-progress', 'no progress bar')
      .action((opts: ModelOptions) => runModelCommand(model, opts));
  }
}
