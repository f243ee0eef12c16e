import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../auth/principal.ts';
import type { CaseService, ReportCaseInput } from '../cases/case-service.ts';
import type { CaseDoc } from '../cases/case-model.ts';
import type { CaseCommand } from '../cases/decide-case.ts';
import type { OrgDirectory } from '../org/org-directory.ts';
import type { StoreAdapter, Tx } from '../store/store.ts';
import { authorActor, authorName, recordAdminChanges, type ChangeAuthor } from '../events/admin-events.ts';
import type { Crs } from '../geo/crs.ts';
import { decideRoute, parseRoutingTable, planWhy, type DangerFound, type RoutingTable } from './routing-table.ts';
import { readAppeal } from './read-appeal.ts';
import { higherPriority } from './appeal-keywords.ts';

/** What the intake needs from a classifier (the shipped one lives in ./classifier/). */
export interface AppealClassifier {
  classify(text: string, title?: string): { categoryCode: string; confidence: number; top: readonly { categoryCode: string; confidence: number }[] };
}

export interface AppealInput {
  readonly text: string;
  readonly title?: string | undefined;
  /** Given by a hotline agent who chose the category: no classification then. */
  readonly categoryCode?: string | undefined;
  readonly lng?: number | undefined;
  readonly lat?: number | undefined;
  readonly crs?: Crs | undefined;
  /** A place name resolved against the gazetteer when no coordinates are given. */
  readonly place?: string | undefined;
  readonly source: 'citizen' | 'hotline' | 'grid_worker';
  readonly reporter?: ReportCaseInput['reporter'];
  readonly clientRequestId?: string | undefined;
}

export interface RoutingTableVersion {
  readonly version: number;
  readonly table: RoutingTable;
}

/**
 * 智能分拨: an appeal is classified, placed, routed by the routing table, registered and
 * dispatched — or, when the classifier is not sure, no rule applies or no unit serves the place,
 * put in the manual triage queue with the reason. Every decision records why.
 *
 * The report is written as the reporter; the routing as the system, in a second transaction: if
 * the process stops between the two, the case waits as reported in the center's queue.
 */
export class AppealIntake {
  readonly #cases: CaseService;
  readonly #org: OrgDirectory;
  readonly #db: Tx;
  readonly #store: Pick<StoreAdapter, 'transact' | 'capabilities'>;
  readonly #clock: Clock;
  readonly #classifier: () => AppealClassifier | null;
  readonly #locatePlace: (name: string) => { lng: number; lat: number } | null;
  readonly #planFor: (doc: CaseDoc) => { planId: string; name: string } | null;
  /** A kind of unit's name (城市管理局), or null: what the why of a route says instead of the kind. */
  readonly unitKindName: (kind: string) => string | null;
  readonly threshold: number;
  #table: RoutingTableVersion | null = null;

  constructor(deps: {
    cases: CaseService;
    org: OrgDirectory;
    /** Versions of the routing table are written with their events in one transaction. */
    store: Pick<StoreAdapter, 'db' | 'transact' | 'capabilities'>;
    clock: Clock;
    classifier: () => AppealClassifier | null;
    locatePlace: (name: string) => { lng: number; lat: number } | null;
    threshold: number;
    /**
     * The plan (预案) that would run for the case as reported — its tasks resolved, nothing
     * unresolved — or null. A category with a plan is dispatched by its plan (the owner of the
     * asset, the deadlines, arrival on site), the routing table's units being the fallback.
     */
    planFor?: (doc: CaseDoc) => { planId: string; name: string } | null;
    /** A kind of unit's name, for the why of a rule whose unit the place lacks (the city pack's list). */
    unitKindName?: (kind: string) => string | null;
  }) {
    this.#cases = deps.cases;
    this.#org = deps.org;
    this.#db = deps.store.db;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#classifier = deps.classifier;
    this.#locatePlace = deps.locatePlace;
    this.#planFor = deps.planFor ?? (() => null);
    this.unitKindName = deps.unitKindName ?? (() => null);
    this.threshold = deps.threshold;
  }

  #parseOptions() {
    return { knownUnitKinds: new Set(this.#org.units().map((u) => u.kind)), knownCategories: new Set(this.#org.categories().map((c) => c.code)) };
  }

  async reload(): Promise<void> {
    const row = await this.#db.selectFrom('routing_tables').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
    this.#table = row ? { version: Number(row.version), table: parseRoutingTable(row.source) } : null;
  }

  get table(): RoutingTableVersion | null {
    return this.#table;
  }

  async versions(): Promise<{ version: number; createdAt: string; createdBy: string }[]> {
    const rows = await this.#db.selectFrom('routing_tables').select(['version', 'created_at', 'created_by']).orderBy('version').execute();
    return rows.map((r) => ({ version: Number(r.version), createdAt: r.created_at, createdBy: r.created_by }));
  }

  async source(version: number): Promise<string> {
    const row = await this.#db.selectFrom('routing_tables').select('source').where('version', '=', version).executeTakeFirst();
    if (!row) throw new CityLoopError('NOT_FOUND', { what: 'routing table version', id: version });
    return row.source;
  }

  /** Stores a new version of the routing table (checked first); identical text is not stored again. */
  async saveTable(source: string, by: ChangeAuthor): Promise<{ version: number; created: boolean }> {
    try {
      parseRoutingTable(source, this.#parseOptions());
    } catch (e) {
      const problems = (e as { problems?: { path: string; message: string }[] }).problems;
      throw new CityLoopError('VALIDATION_FAILED', { detail: (e as Error).message }, problems ? { errors: problems } : undefined);
    }
    const last = await this.#db.selectFrom('routing_tables').select(['version', 'source']).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (last && last.source === source) return { version: Number(last.version), created: false };
    const version = (last ? Number(last.version) : 0) + 1;
    const now = this.#clock.now().toISOString();
    await this.#store.transact(async (tx) => {
      await tx.insertInto('routing_tables').values({ version, source, created_at: now, created_by: authorName(by) }).execute();
      await recordAdminChanges(tx, this.#store, authorActor(by), now, [{ kind: 'routing', id: 'table', type: 'RoutingTableSaved', payload: { version } }]);
    });
    await this.reload();
    return { version, created: true };
  }

  /** The classifier's suggestion, or null when none is loaded. */
  classify(text: string, title?: string): { categoryCode: string; confidence: number; top: readonly { categoryCode: string; confidence: number }[] } | null {
    return this.#classifier()?.classify(text, title) ?? null;
  }

  async submit(p: Principal, input: AppealInput): Promise<CaseDoc> {
    const text = input.text?.trim();
    if (!text) throw new CityLoopError('VALIDATION_FAILED', { detail: 'text is required' });
    // 1. What is it about, and does it sound dangerous? A hotline agent's category; else the
    // routing table's keyword rules (a rule, not a guess: it also settles a message the classifier
    // was unsure of); else the classifier's family. Danger words raise the priority.
    const reading = readAppeal(this.#table?.table ?? null, { text, title: input.title, categoryCode: input.categoryCode }, (t, title) => this.classify(t, title));
    if (!reading.categoryCode) throw new CityLoopError('VALIDATION_FAILED', { detail: 'no classifier is loaded: give categoryCode' });
    const categoryCode = reading.categoryCode;
    const { confidence, top, danger } = reading;
    const refinedBy = reading.categoryBy === 'keyword' ? reading.keyword : null;
    const usual = this.#org.category(categoryCode)?.defaultPriority ?? 'normal';
    const priority = danger ? higherPriority(usual, danger.priority) : undefined;
    // 2. Where?
    let point: { lng: number; lat: number; crs: Crs } | null = input.lng !== undefined && input.lat !== undefined ? { lng: input.lng, lat: input.lat, crs: input.crs ?? 'wgs84' } : null;
    if (!point && input.place) {
      const found = this.#locatePlace(input.place);
      if (found) point = { ...found, crs: 'gcj02' };
    }
    if (!point && !input.place) {
      throw new CityLoopError('VALIDATION_FAILED', { detail: 'give coordinates or a place name (区县、街道、社区或地标)' });
    }
    // 3. Report as the reporter.
    const doc = await this.#cases.report(p, {
      source: input.source,
      categoryCode,
      ...(priority ? { priority } : {}),
      title: (input.title?.trim() || text).slice(0, 60),
      description: text,
      lng: point?.lng ?? 0,
      lat: point?.lat ?? 0,
      crs: point?.crs ?? 'gcj02',
      unplaced: point === null,
      reporter: input.reporter,
      clientRequestId: input.clientRequestId,
    });
    if (doc.routing || doc.state !== 'reported') return doc; // a resend of a report already routed
    if (!point) {
      // Nobody knows the place: the city center's triage queue, where a person places it.
      return this.#cases.execute(SYSTEM_PRINCIPAL, doc.id, {
        type: 'record_routing',
        routing: {
          automatic: true,
          categoryCode,
          confidence,
          top,
          routingVersion: this.#table?.version ?? null,
          rule: null,
          why: `地点“${input.place}”无法定位，转人工分拨${danger ? `；${danger.why}` : ''}`,
          outcome: 'triage',
          ...dangerRecord(danger),
        },
      });
    }
    // 4. Route as the system, recording why.
    return this.#route(doc, categoryCode, confidence, top, input.categoryCode !== undefined, refinedBy, danger);
  }

  async #route(
    doc: CaseDoc,
    categoryCode: string,
    confidence: number | null,
    top: { categoryCode: string; confidence: number }[],
    chosenByAgent: boolean,
    refinedBy: string | null,
    danger: DangerFound | null,
  ): Promise<CaseDoc> {
    const table = this.#table;
    const triage = (why: string): Promise<CaseDoc> =>
      this.#cases.execute(SYSTEM_PRINCIPAL, doc.id, {
        type: 'record_routing',
        routing: { automatic: true, categoryCode, confidence, top, routingVersion: table?.version ?? null, rule: null, why, outcome: 'triage', ...dangerRecord(danger) },
      });
    const d = decideRoute(table?.table ?? null, {
      categoryCode,
      chain: doc.chain,
      categoryBy: chosenByAgent ? 'agent' : refinedBy !== null ? 'keyword' : 'classifier',
      keyword: refinedBy,
      confidence,
      threshold: this.threshold,
      danger,
      unitOfKind: (kind, code) => this.#org.unitOfKind(kind, code),
      categoryName: (code) => this.#org.category(code)?.nameZh ?? null,
      unitKindName: this.unitKindName,
    });
    if (d.outcome === 'triage' || !table) return triage(d.why);
    const { choice, lead, assists, why } = d;
    // A category with a plan: the plan dispatches (the routing table's units if it cannot).
    const plan = this.#planFor(doc);
    if (plan) {
      const byPlan = planWhy(plan, why);
      try {
        return await this.#cases.executeAll(SYSTEM_PRINCIPAL, doc.id, [
          { type: 'record_routing', routing: { automatic: true, categoryCode, confidence, top, routingVersion: table.version, rule: `plan:${plan.planId}`, why: byPlan, outcome: 'dispatched', ...dangerRecord(danger) } },
          { type: 'apply_plan', planId: plan.planId, note: byPlan },
        ]);
      } catch (e) {
        // The plan could not run here (changed since the preview, or a unit it names is missing):
        // nothing was written, the routing table's units below. Any other failure is the caller's.
        if (!(e instanceof CityLoopError) || !(e.code.startsWith('PLAN_') || e.code === 'NOT_FOUND')) throw e;
      }
    }
    const commands: CaseCommand[] = [
      { type: 'record_routing', routing: { automatic: true, categoryCode, confidence, top, routingVersion: table.version, rule: `${choice.rule.category}@${choice.rule.jurisdiction ?? '*'}`, why, outcome: 'dispatched', ...dangerRecord(danger) } },
      { type: 'register', note: why },
      { type: 'dispatch', tasks: [{ unitId: lead.id, role: 'lead' }, ...assists.map((u) => ({ unitId: u.id, role: 'assist' as const }))], note: why },
    ];
    return this.#cases.executeAll(SYSTEM_PRINCIPAL, doc.id, commands);
  }
}

/** The danger words as the AppealRouted event records them (nothing when there were none). */
function dangerRecord(danger: DangerFound | null): { danger?: { priority: 'high' | 'urgent'; words: string[]; why: string } } {
  return danger ? { danger: { priority: danger.priority, words: [...danger.words], why: danger.why } } : {};
}
