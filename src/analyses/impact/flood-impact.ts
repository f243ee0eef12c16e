/**
 * 灾害态势研判 and 避险转移 for a finished analysis: its impact (what the result means on the
 * ground: assessImpact over the result layers, the geography, the assets and the population), the
 * evacuation it starts (one 避险转移 case run by the `flood-evacuation` plan, one task per affected
 * community) and the board that follows it until everyone is accounted for. The counts themselves
 * are case events (`TaskTallied`, through the case service), so who reported what, when and why is
 * in the one log; the `evacuations` row only ties the analysis to its case and keeps the expected
 * figures as they were when the evacuation started.
 */
import type { Store } from '../../store/store.ts';
import type { Clock } from '../../clock.ts';
import { CityLoopError } from '../../errors.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../../auth/principal.ts';
import type { JurisdictionResolver } from '../../geo/resolver.ts';
import { interiorPoint, type AreaGeometry } from '../../geo/geometry.ts';
import type { AssetRecord, AssetType } from '../../assets/asset.ts';
import type { Grid } from '../../raster/grid.ts';
import type { CaseService } from '../../cases/case-service.ts';
import { tallyAccountedFor, TASK_STATE_NAMES, type CaseDoc, type TaskDoc } from '../../cases/case-model.ts';
import type { AnalysisRecord, ResultLayer } from '../analysis-model.ts';
import { mayRunAnalyses } from '../analysis-policy.ts';
import { assessImpact, DEFAULT_IMPACT_ASSET_TYPES, type ImpactReport, type PeopleToMove } from './assess-impact.ts';
import { loadPopulation, type PopulationSource } from './grid-population.ts';

/** The plan and category a started evacuation runs on (cities/<pack>/plans/flood-evacuation.yaml). */
export const EVACUATION_PLAN_ID = 'flood-evacuation';
export const EVACUATION_CATEGORY = 'safety.evacuation';
/** The plan's per-community task key: `evacuate@<community code>`. */
export const EVACUATION_TASK_KEY = 'evacuate';

/** What the impact needs of the analyses: a run the caller may see, and a result layer's cells. */
export interface FloodResults {
  get(p: Principal, id: string): Promise<AnalysisRecord>;
  layer(p: Principal, id: string, name: string): Promise<{ run: AnalysisRecord; layer: ResultLayer; grid: Grid }>;
}

/** A raster CRS to GCJ-02 and back (proj4 and the GCJ-02 formula, plugged in by the platform). */
export type ProjectionOf = (crs: string) => { toLngLat(x: number, y: number, out: Float64Array): void; fromLngLat(lng: number, lat: number, out: Float64Array): void };

export interface FloodImpactDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly results: FloodResults;
  readonly projection: ProjectionOf;
  readonly resolver: () => JurisdictionResolver;
  readonly assets: () => { withinPolygon(type: AssetType, polygon: AreaGeometry): AssetRecord[] };
  readonly cases: CaseService;
}

export interface ImpactView extends ImpactReport {
  readonly analysisId: string;
  /** the population's sources; `generated` among them means the people are estimates of the demo */
  readonly populationSources: readonly PopulationSource[];
  readonly populationGenerated: boolean;
}

export interface EvacuationCommunity {
  readonly communityCode: string;
  readonly communityName: string;
  readonly streetName: string | null;
  readonly expected: number;
  readonly moved: number;
  readonly staying: number;
  readonly missing: number;
  /** moved + staying ≥ expected with nobody missing, or overridden by the center */
  readonly accountedFor: boolean;
  readonly override: string | null;
  readonly lastReportAt: string | null;
  readonly arrivalS: number | null;
  readonly taskId: string | null;
  readonly unitName: string | null;
  readonly taskState: TaskDoc['state'] | null;
  readonly taskStateName: string | null;
}

export interface EvacuationBoard {
  readonly analysisId: string;
  readonly caseId: string;
  readonly caseNumber: string;
  readonly caseState: string;
  readonly startedAt: string;
  readonly startedBy: string;
  readonly communities: readonly EvacuationCommunity[];
  readonly totals: { readonly expected: number; readonly moved: number; readonly staying: number; readonly missing: number; readonly communities: number; readonly accountedFor: number };
}

interface StoredCommunity {
  readonly code: string;
  readonly name: string;
  readonly streetName: string | null;
  readonly expected: number;
  readonly arrivalS: number | null;
}

/** The result layers an impact reads: the dynamic models' maximum depth, or a lake's depth. */
const DEPTH_LAYERS = ['maxDepth', 'depth'];

export class FloodImpact {
  readonly #d: FloodImpactDeps;
  constructor(deps: FloodImpactDeps) {
    this.#d = deps;
  }

  /** The impact of a finished run, as the caller may see the run. */
  async impact(p: Principal, analysisId: string): Promise<ImpactView> {
    const run = await this.#d.results.get(p, analysisId);
    if (run.state !== 'succeeded') throw new CityLoopError('ANALYSIS_INVALID_STATE', { state: run.state, stateZh: STATE_ZH[run.state] ?? run.state, action: 'assessed', actionZh: '研判影响' });
    const depthName = DEPTH_LAYERS.find((n) => run.results?.some((l) => l.name === n));
    if (!depthName) throw new CityLoopError('NOT_FOUND', { what: 'analysis layer', id: `${analysisId}/maxDepth` });
    const depth = await this.#d.results.layer(p, analysisId, depthName);
    const grid = depth.grid;
    let arrival: Float32Array;
    const arrivalLayer = run.results?.find((l) => l.name === 'arrivalTime');
    if (arrivalLayer) {
      const a = await this.#d.results.layer(p, analysisId, 'arrivalTime');
      // Stored in minutes for the map's legend; the impact counts seconds.
      const k = a.layer.unit === 'min' ? 60 : a.layer.unit === 'h' ? 3600 : 1;
      arrival = k === 1 ? a.grid.data : a.grid.data.map((v) => v * k);
    } else {
      arrival = new Float32Array(grid.data.length).fill(NaN);
    }
    const proj = this.#d.projection(grid.crs);
    const population = await loadPopulation(this.#d.store.db);
    const assets = this.#assetsOver(grid, proj);
    const report = assessImpact({
      raster: grid,
      maxDepth: grid.data,
      arrivalTime: arrival,
      toLngLat: proj.toLngLat,
      fromLngLat: proj.fromLngLat,
      places: this.#d.resolver(),
      assets,
      population: population.people,
    });
    return { analysisId: run.id, ...report, populationSources: population.sources, populationGenerated: population.sources.includes('generated') };
  }

  /** Assets of the reported types that lie over the raster (its outline in GCJ-02). */
  #assetsOver(grid: Grid, proj: ReturnType<ProjectionOf>): AssetRecord[] {
    const out = new Float64Array(2);
    const corner = (x: number, y: number): [number, number] => {
      proj.toLngLat(x, y, out);
      return [out[0]!, out[1]!];
    };
    const x0 = grid.originX, y0 = grid.originY, x1 = x0 + grid.width * grid.cellWidth, y1 = y0 - grid.height * grid.cellHeight;
    const ring = [corner(x0, y0), corner(x1, y0), corner(x1, y1), corner(x0, y1)];
    const outline: AreaGeometry = { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
    const index = this.#d.assets();
    return DEFAULT_IMPACT_ASSET_TYPES.flatMap((t) => index.withinPolygon(t, outline));
  }

  /**
   * 避险转移: opens the one case of the analysis (a second start answers the first), one task per
   * affected community to its community office, each holding the people it must account for.
   */
  async startEvacuation(p: Principal, analysisId: string): Promise<EvacuationBoard> {
    // A run the caller cannot see is not found (a reader's refusal first), then only runners start.
    await this.#d.results.get(p, analysisId);
    if (!mayRunAnalyses(p)) throw new CityLoopError('FORBIDDEN_ROLE', { action: 'start an evacuation' });
    if (await this.#row(analysisId)) return this.board(p, analysisId);
    const impact = await this.impact(p, analysisId);
    if (impact.peopleToMove.length === 0) throw new CityLoopError('EVACUATION_NOBODY_TO_MOVE', { id: analysisId });
    const first = impact.peopleToMove[0]!;
    const resolver = this.#d.resolver();
    const community = resolver.get(first.communityCode);
    if (!community?.geometry) throw new CityLoopError('NOT_FOUND', { what: 'community', id: first.communityCode });
    const [lng, lat] = interiorPoint(community.geometry);
    let district: string | null = null;
    for (let r = resolver.get(first.communityCode); r; r = r.parentCode ? resolver.get(r.parentCode) : undefined) if (r.level === 'district') district = r.code;
    const communities: StoredCommunity[] = impact.peopleToMove.map((c: PeopleToMove) => ({ code: c.communityCode, name: c.communityName, streetName: c.streetName, expected: c.people, arrivalS: c.arrivalS }));
    const now = this.#d.clock.now().toISOString();
    // Claimed first: of two starts at once, one opens the case and the other finds it.
    const claimed = await this.#d.store.db
      .insertInto('evacuations')
      .values({ analysis_id: analysisId, case_id: `pending:${analysisId}`, district_code: district ?? '', communities: JSON.stringify(communities), created_at: now, created_by: p.username })
      .onConflict((oc) => oc.column('analysis_id').doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return this.board(p, analysisId);
    let doc: CaseDoc;
    try {
      doc = await this.#d.cases.reportAndRun(
        p,
        {
          source: 'inspection',
          categoryCode: EVACUATION_CATEGORY,
          title: `避险转移：${(await this.#d.results.get(p, analysisId)).name ?? '洪水影响范围'}`.slice(0, 200),
          description: `分析 ${analysisId} 研判：${impact.peopleToMove.length} 个社区约 ${impact.peopleToMove.reduce((s, c) => s + c.people, 0)} 人需转移${impact.populationGenerated ? '（人口为演示生成数据）' : ''}。`,
          lng,
          lat,
          crs: 'gcj02',
          priority: 'urgent',
          externalRef: `analysis:${analysisId}`,
          clientRequestId: `evacuation:${analysisId}`.slice(0, 64),
        },
        [{ type: 'apply_plan', planId: EVACUATION_PLAN_ID, facts: { affected_communities: communities.map((c) => ({ code: c.code, name: c.name, expected: c.expected, arrivalS: c.arrivalS })) } }],
      );
    } catch (e) {
      await this.#d.store.db.deleteFrom('evacuations').where('analysis_id', '=', analysisId).execute();
      throw e;
    }
    await this.#d.store.db.updateTable('evacuations').set({ case_id: doc.id }).where('analysis_id', '=', analysisId).execute();
    return this.board(p, analysisId);
  }

  async #row(analysisId: string) {
    return this.#d.store.db.selectFrom('evacuations').selectAll().where('analysis_id', '=', analysisId).executeTakeFirst();
  }

  /**
   * The board: per community expected, the latest count, its task. Seen by whoever sees the run,
   * and by whoever sees the evacuation's case (a community office with a task there, its grid
   * workers), whose ground may lie below the run's center.
   */
  async board(p: Principal, analysisId: string): Promise<EvacuationBoard> {
    let refusal: unknown = null;
    try {
      await this.#d.results.get(p, analysisId);
    } catch (e) {
      if (!(e instanceof CityLoopError)) throw e;
      refusal = e;
    }
    const row = await this.#row(analysisId);
    if (!row || row.case_id.startsWith('pending:')) throw refusal ?? new CityLoopError('NOT_FOUND', { what: 'evacuation', id: analysisId });
    if (refusal === null) return boardOf(analysisId, row, await this.#d.cases.get(SYSTEM_READER, row.case_id));
    // Not a reader of the run: the case's own policy decides, and a refusal stays the run's.
    try {
      return boardOf(analysisId, row, await this.#d.cases.get(p, row.case_id));
    } catch (e) {
      if (e instanceof CityLoopError) throw refusal;
      throw e;
    }
  }

  /** The board of a case (for the reporting route's answer), as the caller sees the case. */
  async boardOfCase(p: Principal, caseId: string): Promise<EvacuationBoard> {
    const doc = await this.#d.cases.get(p, caseId);
    const row = await this.#d.store.db.selectFrom('evacuations').selectAll().where('case_id', '=', doc.id).executeTakeFirst();
    if (!row) throw new CityLoopError('NOT_FOUND', { what: 'evacuation', id: caseId });
    return boardOf(row.analysis_id, row, doc);
  }

  /**
   * A community's count (by its community office: the case policy lets only the task's unit report
   * it) or the center's override of it; both are case commands, so each is an event of the case.
   */
  async report(p: Principal, caseId: string, communityCode: string, input: { moved?: unknown; staying?: unknown; missing?: unknown; note?: unknown; override?: unknown }): Promise<EvacuationCommunity> {
    const doc = await this.#d.cases.get(p, caseId);
    const task = doc.tasks.find((t) => t.round === doc.round && t.plan?.key === `${EVACUATION_TASK_KEY}@${communityCode}`);
    if (!task) throw new CityLoopError('NOT_FOUND', { what: 'community of the evacuation', id: communityCode });
    const updated =
      input.override !== undefined
        ? await this.#d.cases.execute(p, doc.id, { type: 'override_tally', taskId: task.id, reason: typeof input.override === 'string' ? input.override : '' })
        : await this.#d.cases.execute(p, doc.id, { type: 'tally_task', taskId: task.id, moved: input.moved as number, staying: input.staying as number, missing: input.missing as number, ...(typeof input.note === 'string' ? { note: input.note } : {}) });
    const board = await this.boardOfCase(SYSTEM_READER, updated.id);
    return board.communities.find((c) => c.communityCode === communityCode)!;
  }
}

/**
 * The board is shown to whoever may see the analysis (a district's operators and units); reading
 * its case for that is the platform's own reading, not the caller's (a unit without a task there
 * would not see the case itself).
 */
const SYSTEM_READER: Principal = SYSTEM_PRINCIPAL;

const STATE_ZH: Record<string, string> = { queued: '排队中', running: '计算中', failed: '失败', cancelled: '已取消' };

function boardOf(analysisId: string, row: { case_id: string; communities: string; created_at: string; created_by: string }, doc: CaseDoc): EvacuationBoard {
  const stored = JSON.parse(row.communities) as StoredCommunity[];
  const communities = stored.map((c): EvacuationCommunity => {
    const task = doc.tasks.find((t) => t.round === doc.round && t.plan?.key === `${EVACUATION_TASK_KEY}@${c.code}`) ?? null;
    const tally = task?.tally ?? null;
    const expected = task?.plan?.expected ?? c.expected;
    return {
      communityCode: c.code,
      communityName: c.name,
      streetName: c.streetName,
      expected,
      moved: tally?.moved ?? 0,
      staying: tally?.staying ?? 0,
      missing: tally?.missing ?? 0,
      accountedFor: tallyAccountedFor(expected, tally) && (tally !== null || expected === 0),
      override: tally?.override ?? null,
      lastReportAt: tally?.at ?? null,
      arrivalS: c.arrivalS,
      taskId: task?.id ?? null,
      unitName: task?.unitName ?? null,
      taskState: task?.state ?? null,
      taskStateName: task ? TASK_STATE_NAMES[task.state].zh : null,
    };
  });
  const sum = (f: (c: EvacuationCommunity) => number) => communities.reduce((s, c) => s + f(c), 0);
  return {
    analysisId,
    caseId: doc.id,
    caseNumber: doc.number,
    caseState: doc.state,
    startedAt: row.created_at,
    startedBy: row.created_by,
    communities,
    totals: { expected: sum((c) => c.expected), moved: sum((c) => c.moved), staying: sum((c) => c.staying), missing: sum((c) => c.missing), communities: communities.length, accountedFor: communities.filter((c) => c.accountedFor).length },
  };
}
