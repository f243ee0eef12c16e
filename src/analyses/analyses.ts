/**
 * Analyses as durable jobs: asked for (inputs checked and normalised, the input raster's SHA-256
 * recorded), queued in the table, run one by one on worker threads (analysis-runner.ts), their
 * layers saved through the raster catalogue, repeated as new versions, cancelled. Every change of
 * a run's state is an event of its `analysis:ID` stream, published on the bus after the commit.
 */
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Principal } from '../auth/principal.ts';
import type { ActingPerson } from '../events/admin-events.ts';
import type { Grid } from '../raster/grid.ts';
import { terrainOf } from '../raster/grid.ts';
import type { RasterCatalogPort, RasterRecord } from '../raster/raster-catalog.ts';
import { ANALYSIS_MODELS, STATE_NAMES, isFinished, type AnalysisModel, type AnalysisRecord, type AnalysisState, type CommittedAnalysis, type ResultLayer } from './analysis-model.ts';
import { coversCenter, mayReadAnalyses, mayRunAnalyses, maySeeAnalysis, mayUseRaster, type AnalysisScopeLookup } from './analysis-policy.ts';
import { attemptsOf, findAnalysis, findByTrigger, idsInState, insertAnalysis, listAnalyses, nextVersion, queuedIds, recordAnalysisEvent, updateAnalysis } from './analysis-repository.ts';
import { ThreadRun } from './analysis-runner.ts';
import { summarize } from './analysis-summary.ts';
import { refuse } from './input-reader.ts';
import { normalizeInputs, placeInputs, type ModelInputs } from './models/model-inputs.ts';
import { GridPlacer, type PlacedJob } from './models/model-job.ts';

export interface AnalysesDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly catalog: RasterCatalogPort;
  /** WGS-84 lng/lat → a raster CRS's x, y (the raster's own conversion); throws for a CRS with no place on Earth */
  projection(crs: string): (lng: number, lat: number) => [number, number];
  scope(): AnalysisScopeLookup & { centerIds(): string[] };
  publish(c: CommittedAnalysis): void;
  /** runs at a time (ANALYSIS_CONCURRENCY); 0 = this process runs none (another does) */
  readonly concurrency: number;
  /** threads each model may use (ModelRunOptions.threads) */
  readonly threads?: number;
  readonly workerEntry?: URL;
  readonly log?: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

export interface AnalysisRequest {
  readonly model: string;
  readonly rasterId: string;
  readonly inputs?: unknown;
  readonly name?: string;
}

/** What a start by a trigger adds: an idempotency key and the center the run belongs to. */
export interface TriggerOrigin {
  readonly key: string;
  readonly ownerCenterId: string;
}

/** The port a rule or a CAP warning starts a run through (the composition root plugs it in). */
export interface AnalysisStarter {
  startFromTrigger(req: AnalysisRequest, origin: TriggerOrigin): Promise<AnalysisRecord>;
}

/** The platform itself, as the log records the runner's own steps. */
const RUNNER: ActingPerson = { userId: 'analysis-runner', displayName: '分析任务执行器 analysis runner', roles: ['system'] };

/** Runs left `running` by a crash are queued again this many times, then failed `INTERRUPTED`. */
export const MAX_ATTEMPTS = 2;

export class Analyses implements AnalysisStarter {
  readonly #d: AnalysesDeps;
  readonly #threads = new Map<string, ThreadRun>();
  /** runs claimed by this process and not finished (the thread, or the saving of the layers) */
  readonly #active = new Set<string>();
  /** runs cancelled while this process prepared them (their thread not started yet) */
  readonly #cancelled = new Set<string>();
  #pumping = false;
  /** the pump under way and the runs of this process: what close() waits for */
  #pump: Promise<void> = Promise.resolve();
  readonly #executions = new Map<string, Promise<void>>();
  #again = false;
  #stopped = false;
  #idle: Array<() => void> = [];

  constructor(deps: AnalysesDeps) {
    this.#d = deps;
  }

  // ───────────────────────────── asking ─────────────────────────────

  async start(p: Principal, req: AnalysisRequest): Promise<AnalysisRecord> {
    if (!mayRunAnalyses(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'run an analysis' });
    return this.#enqueue(p, req, null);
  }

  async startFromTrigger(req: AnalysisRequest, origin: TriggerOrigin): Promise<AnalysisRecord> {
    const earlier = await findByTrigger(this.#d.store.db, origin.key);
    if (earlier) return earlier;
    return this.#enqueue(null, req, origin);
  }

  async #enqueue(p: Principal | null, req: AnalysisRequest, origin: TriggerOrigin | null): Promise<AnalysisRecord> {
    if (!(ANALYSIS_MODELS as readonly string[]).includes(req.model)) refuse('model', `must be one of ${ANALYSIS_MODELS.join(', ')}`, `应为 ${ANALYSIS_MODELS.join('、')} 之一`);
    const model = req.model as AnalysisModel;
    const raster = await this.#usableRaster(p, req.rasterId);
    const inputs = normalizeInputs(model, req.inputs);
    // Placed now, on the raster's georeference only, so a point off the raster is refused at once.
    this.#place(model, inputs, raster);
    const id = newId(this.#d.clock.now().getTime());
    const at = this.#d.clock.now().toISOString();
    const actor = p ?? RUNNER;
    const committed = await this.#d.store.transact(async (tx) => {
      await insertAnalysis(tx, {
        id, name: req.name ?? null, model, root_id: id, parent_id: null, version: 1, state: 'queued', progress: 0, progress_message: null,
        inputs: JSON.stringify(inputs), raster_id: raster.id, raster_sha256: raster.sha256, input_rasters: JSON.stringify([{ id: raster.id, sha256: raster.sha256 }]),
        owner_center_id: origin?.ownerCenterId ?? p?.centerId ?? raster.ownerCenterId, created_by: p?.username ?? `trigger:${origin!.key}`, created_at: at,
        started_at: null, finished_at: null, error_code: null, error_message: null, summary: null, result_rasters: null, cancel_requested_at: null, trigger_key: origin?.key ?? null, attempts: 0,
      });
      return recordAnalysisEvent(tx, this.#d.store, actor, at, id, 'AnalysisQueued', { model, rasterId: raster.id, rasterSha256: raster.sha256, version: 1, name: req.name ?? null, ...(origin ? { trigger: origin.key } : {}) });
    });
    this.#d.publish(committed);
    this.kick();
    return committed.analysis;
  }

  /** A raster the caller may use, not deleted: else the field `rasterId` is named. */
  async #usableRaster(p: Principal | null, rasterId: unknown): Promise<RasterRecord> {
    if (typeof rasterId !== 'string' || rasterId === '') refuse('rasterId', 'must name a stored raster', '应为已存储栅格的编号');
    const raster = await this.#d.catalog.get(rasterId);
    // A raster outside the caller's ground is not found, as an invisible run is (its field named).
    if (!raster || (p && !mayUseRaster(p, raster.ownerCenterId, this.#d.scope()))) throw new CityLoopError('NOT_FOUND', { what: 'raster', id: rasterId }, { field: 'rasterId' });
    if (raster.deletedAt) throw new CityLoopError('ANALYSIS_RASTER_GONE', { rasterId }, { field: 'rasterId' });
    if (raster.kind !== 'dem' && raster.kind !== 'result') refuse('rasterId', `is a ${raster.kind} raster; a model runs on terrain (dem)`, `是 ${raster.kind} 栅格，模型需要地形（dem）`);
    return raster;
  }

  #place(model: AnalysisModel, inputs: ModelInputs, raster: Pick<RasterRecord, 'crs' | 'originX' | 'originY' | 'cellWidth' | 'cellHeight' | 'width' | 'height'>): PlacedJob {
    let fromWgs84: (lng: number, lat: number) => [number, number];
    try {
      fromWgs84 = this.#d.projection(raster.crs);
    } catch (e) {
      if (model === 'fill') fromWgs84 = () => [NaN, NaN]; // fill places nothing
      else refuse('rasterId', `its CRS ${raster.crs} has no place on Earth: points cannot be placed on it (${(e as Error).message})`, `其坐标系 ${raster.crs} 无地理位置，无法放置坐标点`);
    }
    return placeInputs(model, inputs, new GridPlacer(raster, inputs.datum, fromWgs84));
  }

  // ───────────────────────────── reading ─────────────────────────────

  async get(p: Principal, id: string): Promise<AnalysisRecord> {
    if (!mayReadAnalyses(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read analyses' });
    const run = await findAnalysis(this.#d.store.db, id);
    // Someone else's run is not found, as an invisible case is.
    if (!run || !maySeeAnalysis(p, run, this.#d.scope())) throw new CityLoopError('NOT_FOUND', { what: 'analysis', id });
    return run;
  }

  async list(p: Principal, q: { state?: AnalysisState; model?: AnalysisModel; limit?: number }): Promise<AnalysisRecord[]> {
    if (!mayReadAnalyses(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'read analyses' });
    const scope = this.#d.scope();
    const all = scope.centerIds();
    const visible = all.filter((c) => coversCenter(p, c, scope));
    return listAnalyses(this.#d.store.db, { ownerCenterIds: visible.length === all.length ? null : visible, ...(q.state ? { state: q.state } : {}), ...(q.model ? { model: q.model } : {}), limit: q.limit ?? 100 });
  }

  /** Runs the caller may see among `ids` (the feed's history). */
  async visibleByIds(p: Principal, ids: readonly string[]): Promise<Map<string, AnalysisRecord>> {
    const out = new Map<string, AnalysisRecord>();
    if (!mayReadAnalyses(p)) return out;
    for (const id of new Set(ids)) {
      const run = await findAnalysis(this.#d.store.db, id);
      if (run && maySeeAnalysis(p, run, this.#d.scope())) out.set(id, run);
    }
    return out;
  }

  /** Whether `p` sees the run (the live feed's filter). */
  sees(p: Principal, run: AnalysisRecord): boolean {
    return maySeeAnalysis(p, run, this.#d.scope());
  }

  /** A result layer's cells with the raster's georeference. */
  async layer(p: Principal, id: string, name: string): Promise<{ run: AnalysisRecord; layer: ResultLayer; grid: Grid; raster: RasterRecord }> {
    const run = await this.get(p, id);
    const layer = run.results?.find((l) => l.name === name);
    if (!layer) throw new CityLoopError('NOT_FOUND', { what: 'analysis layer', id: `${id}/${name}` });
    const raster = await this.#d.catalog.get(layer.rasterId);
    if (!raster || raster.deletedAt) throw new CityLoopError('NOT_FOUND', { what: 'analysis layer', id: `${id}/${name}` });
    return { run, layer, grid: await this.#d.catalog.load(layer.rasterId), raster };
  }

  // ───────────────────────────── changing ─────────────────────────────

  async cancel(p: Principal, id: string, reason: string | null): Promise<AnalysisRecord> {
    const run = await this.get(p, id);
    if (!mayRunAnalyses(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'cancel an analysis' });
    if (isFinished(run.state)) throw new CityLoopError('ANALYSIS_INVALID_STATE', { state: run.state, stateZh: STATE_NAMES[run.state].zh, action: 'cancelled', actionZh: '取消' });
    const at = this.#d.clock.now().toISOString();
    const committed = await this.#d.store.transact(async (tx) => {
      const changed = await updateAnalysis(tx, id, ['queued', 'running'], { state: 'cancelled', cancel_requested_at: at, finished_at: at });
      if (!changed) return null;
      return recordAnalysisEvent(tx, this.#d.store, p, at, id, 'AnalysisCancelled', { from: run.state, reason });
    });
    if (!committed) {
      const now = (await findAnalysis(this.#d.store.db, id))!;
      throw new CityLoopError('ANALYSIS_INVALID_STATE', { state: now.state, stateZh: STATE_NAMES[now.state].zh, action: 'cancelled', actionZh: '取消' });
    }
    // The thread ends now; its layers were never saved (a save under way is undone by #finish).
    // A run still being prepared (its raster loading) is not started at all.
    if (this.#active.has(id)) this.#cancelled.add(id);
    this.#threads.get(id)?.cancel();
    this.#d.publish(committed);
    return committed.analysis;
  }

  /** The same inputs again, on the same raster cells (refused when they changed), as the family's next version. */
  async rerun(p: Principal, id: string): Promise<AnalysisRecord> {
    const run = await this.get(p, id);
    if (!mayRunAnalyses(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'run an analysis' });
    const raster = await this.#d.catalog.get(run.rasterId);
    if (!raster || raster.deletedAt) throw new CityLoopError('ANALYSIS_RASTER_GONE', { rasterId: run.rasterId }, { field: 'rasterId' });
    if (raster.sha256 !== run.rasterSha256) throw new CityLoopError('ANALYSIS_RASTER_CHANGED', { rasterId: run.rasterId }, { field: 'rasterId' });
    const newIdValue = newId(this.#d.clock.now().getTime());
    const at = this.#d.clock.now().toISOString();
    const committed = await this.#d.store.transact(async (tx) => {
      const version = await nextVersion(tx, run.rootId);
      await insertAnalysis(tx, {
        id: newIdValue, name: run.name, model: run.model, root_id: run.rootId, parent_id: run.id, version, state: 'queued', progress: 0, progress_message: null,
        inputs: JSON.stringify(run.inputs), raster_id: run.rasterId, raster_sha256: run.rasterSha256, input_rasters: JSON.stringify(run.inputRasters),
        owner_center_id: run.ownerCenterId, created_by: p.username, created_at: at, started_at: null, finished_at: null, error_code: null, error_message: null,
        summary: null, result_rasters: null, cancel_requested_at: null, trigger_key: null, attempts: 0,
      });
      return recordAnalysisEvent(tx, this.#d.store, p, at, newIdValue, 'AnalysisQueued', { model: run.model, rasterId: run.rasterId, rasterSha256: run.rasterSha256, version, parentId: run.id, name: run.name });
    });
    this.#d.publish(committed);
    this.kick();
    return committed.analysis;
  }

  // ───────────────────────────── running ─────────────────────────────

  /**
   * After a crash (or a stop with runs under way): a run left `running` is queued again — its
   * inputs are whole and nothing of its result was kept — unless it already was started
   * MAX_ATTEMPTS times (a run that brings the process down must not do it forever): then it fails
   * `INTERRUPTED`. Layers a crash left saved without a succeeded run are removed.
   */
  async recover(): Promise<void> {
    const stale = await idsInState(this.#d.store.db, 'running');
    for (const id of stale) {
      const at = this.#d.clock.now().toISOString();
      const attempts = await attemptsOf(this.#d.store.db, id);
      const committed = await this.#d.store.transact(async (tx) => {
        if (attempts >= MAX_ATTEMPTS) {
          if (!(await updateAnalysis(tx, id, ['running'], { state: 'failed', finished_at: at, error_code: 'INTERRUPTED', error_message: `interrupted ${attempts} times (the server stopped while it ran)` }))) return null;
          return recordAnalysisEvent(tx, this.#d.store, RUNNER, at, id, 'AnalysisFailed', { code: 'INTERRUPTED', attempts });
        }
        if (!(await updateAnalysis(tx, id, ['running'], { state: 'queued', progress: 0, progress_message: null, started_at: null }))) return null;
        return recordAnalysisEvent(tx, this.#d.store, RUNNER, at, id, 'AnalysisRequeued', { reason: 'interrupted', attempts });
      });
      if (committed) this.#d.publish(committed);
      await this.#removeOrphanLayers(id);
    }
  }

  async #removeOrphanLayers(id: string): Promise<void> {
    const prefix = layerRasterPrefix(id);
    for (const r of await this.#d.catalog.list({ kind: 'result' })) if (r.name.startsWith(prefix) && !r.deletedAt) await this.#d.catalog.remove(r.id, RUNNER.userId, 'analysis interrupted');
  }

  /** Starts queued runs while there is room (called after every change; cheap when idle). */
  kick(): void {
    if (this.#stopped || this.#d.concurrency <= 0) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    this.#pump = this.#pumpQueue()
      .catch((e: unknown) => this.#d.log?.error(`analysis runner: ${(e as Error).message}`))
      .finally(() => {
        this.#pumping = false;
        if (this.#again) {
          this.#again = false;
          this.kick();
        } else if (this.#active.size === 0) for (const f of this.#idle.splice(0)) f();
      });
  }

  async #pumpQueue(): Promise<void> {
    const room = this.#d.concurrency - this.#active.size;
    if (room <= 0) return;
    const ids = (await queuedIds(this.#d.store.db, room + this.#active.size)).filter((id) => !this.#active.has(id)).slice(0, room);
    for (const id of ids) {
      if (this.#stopped) return;
      if (await this.#claim(id)) {
        this.#active.add(id);
        const execution = this.#execute(id)
          .catch((e: unknown) => this.#d.log?.error(`analysis ${id}: ${(e as Error).message}`))
          .finally(() => {
            this.#active.delete(id);
            this.#cancelled.delete(id);
            this.#threads.delete(id);
            this.#executions.delete(id);
            this.kick();
          });
        this.#executions.set(id, execution);
      }
    }
  }

  async #claim(id: string): Promise<boolean> {
    const at = this.#d.clock.now().toISOString();
    const attempts = await attemptsOf(this.#d.store.db, id);
    const committed = await this.#d.store.transact(async (tx) => {
      if (!(await updateAnalysis(tx, id, ['queued'], { state: 'running', started_at: at, progress: 0, attempts: attempts + 1 }))) return null;
      return recordAnalysisEvent(tx, this.#d.store, RUNNER, at, id, 'AnalysisStarted', { attempt: attempts + 1 });
    });
    if (committed) this.#d.publish(committed);
    return committed !== null;
  }

  async #execute(id: string): Promise<void> {
    const run = (await findAnalysis(this.#d.store.db, id))!;
    let grid: Grid;
    let job: PlacedJob;
    try {
      const raster = await this.#d.catalog.get(run.rasterId);
      if (!raster || raster.deletedAt) return await this.#fail(id, 'RASTER_GONE', `the raster ${run.rasterId} was deleted`);
      if (raster.sha256 !== run.rasterSha256) return await this.#fail(id, 'RASTER_CHANGED', `the cells of raster ${run.rasterId} changed since the run was asked for`);
      grid = await this.#d.catalog.load(run.rasterId);
      job = this.#place(run.model, run.inputs as unknown as ModelInputs, grid);
    } catch (e) {
      return await this.#fail(id, e instanceof CityLoopError ? e.code : 'MODEL_ERROR', (e as Error).message);
    }
    if (this.#stopped || this.#cancelled.has(id)) return;
    const thread = new ThreadRun(grid, job, { progress: (f, m) => this.#progress(id, f, m) }, { ...(this.#d.workerEntry ? { entry: this.#d.workerEntry } : {}), threads: this.#d.threads ?? 1 });
    this.#threads.set(id, thread);
    const outcome = await thread.outcome;
    if (outcome.kind === 'cancelled' || this.#stopped) return;
    if (outcome.kind === 'error') return await this.#fail(id, outcome.code, outcome.message);
    await this.#finish(run, grid, outcome.output, outcome.wallSeconds);
  }

  async #progress(id: string, fraction: number, message: string | null): Promise<void> {
    const progress = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const changed = await updateAnalysis(this.#d.store.db, id, ['running'], { progress, progress_message: message });
    if (!changed) return;
    const run = await findAnalysis(this.#d.store.db, id);
    if (run) this.#d.publish({ seq: null, type: 'AnalysisProgress', analysis: run });
  }

  /** Saves every layer, then marks the run succeeded; a run cancelled meanwhile has its layers removed. */
  async #finish(run: AnalysisRecord, grid: Grid, output: import('./models/model-job.ts').ModelOutput, wallSeconds: number): Promise<void> {
    const saved: ResultLayer[] = [];
    try {
      for (const l of output.layers) {
        const rec = await this.#d.catalog.save({ ...grid, sourceNodata: null, data: l.data }, { name: `${layerRasterPrefix(run.id)}${l.name}`, kind: 'result', ownerCenterId: run.ownerCenterId, createdBy: RUNNER.userId });
        saved.push({ name: l.name, rasterId: rec.id, unit: l.unit, ramp: l.ramp, ...(l.t !== undefined ? { t: l.t } : {}) });
      }
    } catch (e) {
      await this.#removeLayers(saved);
      return this.#fail(run.id, e instanceof CityLoopError ? e.code : 'SAVE_FAILED', (e as Error).message);
    }
    const t = terrainOf(grid);
    const summary = summarize(output, t.dx * t.dy, wallSeconds);
    const at = this.#d.clock.now().toISOString();
    const committed = await this.#d.store.transact(async (tx) => {
      if (!(await updateAnalysis(tx, run.id, ['running'], { state: 'succeeded', progress: 1, progress_message: null, finished_at: at, summary: JSON.stringify(summary), result_rasters: JSON.stringify(saved) }))) return null;
      return recordAnalysisEvent(tx, this.#d.store, RUNNER, at, run.id, 'AnalysisSucceeded', { summary, layers: saved.map((l) => ({ name: l.name, rasterId: l.rasterId })) });
    });
    if (committed) this.#d.publish(committed);
    else await this.#removeLayers(saved); // cancelled while the layers were saved
  }

  async #removeLayers(layers: readonly ResultLayer[]): Promise<void> {
    for (const l of layers) await this.#d.catalog.remove(l.rasterId, RUNNER.userId, 'analysis cancelled or failed').catch(() => undefined);
  }

  async #fail(id: string, code: string, message: string): Promise<void> {
    const at = this.#d.clock.now().toISOString();
    const committed = await this.#d.store.transact(async (tx) => {
      if (!(await updateAnalysis(tx, id, ['running'], { state: 'failed', finished_at: at, error_code: code, error_message: message.slice(0, 2000) }))) return null;
      return recordAnalysisEvent(tx, this.#d.store, RUNNER, at, id, 'AnalysisFailed', { code, message: message.slice(0, 500) });
    });
    if (committed) this.#d.publish(committed);
  }

  /** Resolves when no run of this process is under way and the queue was looked at (tests, shutdown). */
  idle(): Promise<void> {
    if (this.#active.size === 0 && !this.#pumping) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Ends the threads and waits for what was under way to let go of the store: their runs stay
   * `running` and are queued again at the next start (recover).
   */
  async close(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#threads.values()) t.cancel();
    await this.#pump;
    await Promise.allSettled([...this.#executions.values()]);
    for (const f of this.#idle.splice(0)) f();
  }
}

/** The name prefix of a run's layer rasters in the catalogue (to find them after a crash). */
export function layerRasterPrefix(runId: string): string {
  return `analysis:${runId}:`;
}
