/**
 * The cases' front door, kept thin: the rest of the code (routes, sensing, appeals, the timers,
 * the plan runner, tests) calls these methods; each delegates to one use case (`report-case.ts`,
 * `execute-command.ts`, `merge-cases.ts`, `find-duplicates.ts`, `fire-due-timers.ts`) or query
 * (`case-queries.ts`). Every write goes through `CaseWriter` (case-writer.ts): one transaction of
 * load → decide → append → evolve → project → timers → outbox, published after the commit.
 */
import { CityLoopError } from '../errors.ts';
import type { Crs } from '../geo/crs.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseEvent } from './case-events.ts';
import type { CaseDoc, ChainLink } from './case-model.ts';
import type { CaseCommand } from './decide-case.ts';
import { assertMayCommand, canSeeCase } from './case-policy.ts';
import type { ReportCaseInput } from './decide-report.ts';
import { locate } from './place-case.ts';
import { normalizePhone } from './case-projection.ts';
import { appliedActions, caseById, caseByNumber, caseTimeline, casesByIds, casesOfPhone, casesOfPlan, eventsOfCases } from './case-queries.ts';
import { listCases, type CaseListFilter } from './case-list.ts';
import { CaseWriter, type CaseServiceDeps } from './case-writer.ts';
import { handoverOf, type Handover } from './handover-queries.ts';
import { reportCase } from './report-case.ts';
import { completeEffect, executeCommand, executeCommands, recordEffect } from './execute-command.ts';
import { mergeCases } from './merge-cases.ts';
import { findDuplicates, type DuplicateQuery } from './find-duplicates.ts';
import { fireDueTimers } from './fire-due-timers.ts';
import { checkActions } from './allowed-actions.ts';
import type { CaseViewContext } from './present-case.ts';

export type { CaseServiceDeps } from './case-writer.ts';
export type { CaseListFilter } from './case-list.ts';
export type { ReportCaseInput } from './decide-report.ts';
export { JOINT_CASE_METERS } from './place-case.ts';
export { normalizePhone } from './case-projection.ts';

export class CaseService {
  readonly #w: CaseWriter;
  constructor(deps: CaseServiceDeps) {
    this.#w = new CaseWriter(deps);
  }

  get deps(): CaseServiceDeps {
    return this.#w.d;
  }

  deadlinesFor(categoryCode: string, from: Date): { respondDue: string; resolveDue: string } {
    return this.#w.deadlinesFor(categoryCode, from);
  }

  /** Places a point on the map: GCJ-02 coordinates and the jurisdiction chain, or an error. */
  locate(lng: number, lat: number, crs: Crs): { lng: number; lat: number; chain: ChainLink[] } {
    return locate(this.#w.d.resolver(), lng, lat, crs);
  }

  report(p: Principal, input: ReportCaseInput): Promise<CaseDoc> {
    return reportCase(this.#w, p, input, []);
  }

  /**
   * Reports a case and runs further commands on it in the same transaction: the automatic path
   * (a verified alert or a hotline agent's direct dispatch registers and dispatches at once).
   * Either the case exists with all their events, or nothing was written.
   */
  reportAndRun(p: Principal, input: ReportCaseInput, then: readonly CaseCommand[]): Promise<CaseDoc> {
    return reportCase(this.#w, p, input, then);
  }

  execute(p: Principal, caseId: string, command: CaseCommand, expectedVersion?: number): Promise<CaseDoc> {
    return executeCommand(this.#w, p, caseId, command, expectedVersion);
  }

  /** Several commands on one case in one transaction, each deciding on the case as the one before left it. */
  executeAll(p: Principal, caseId: string, commands: readonly CaseCommand[]): Promise<CaseDoc> {
    return executeCommands(this.#w, p, caseId, commands);
  }

  fireDueTimers(limit = 200): Promise<number> {
    return fireDueTimers(this.#w, limit);
  }

  findDuplicates(p: Principal, input: DuplicateQuery, opts: { withinMeters?: number; withinHours?: number; minSimilarity?: number } = {}): Promise<{ case: CaseDoc; distanceMeters: number; similarity: number }[]> {
    return findDuplicates(this.#w, p, input, opts);
  }

  merge(p: Principal, duplicateId: string, intoId: string, reason: string): Promise<{ duplicate: CaseDoc; into: CaseDoc }> {
    return mergeCases(this.#w, p, duplicateId, intoId, reason);
  }

  /** The automatic steps of the plan last applied to the case, as its PlanApplied event says. */
  appliedActions(caseId: string): Promise<unknown[]> {
    return appliedActions(this.#w.d.store.db, caseId);
  }

  /** See `recordEffect` in execute-command.ts: `false` when the effect was recorded already. */
  recordEffect(effectId: string, caseId: string, record: Extract<CaseCommand, { type: 'record_action' }>['record']): Promise<boolean> {
    return recordEffect(this.#w, effectId, caseId, record);
  }

  /** See `completeEffect` in execute-command.ts: the command decided with its effect marked done, once. */
  completeEffect(effectId: string, caseId: string, command: CaseCommand): Promise<boolean> {
    return completeEffect(this.#w, effectId, caseId, command);
  }

  /** A caller's earlier appeals (hotline), newest first, among the cases the agent may see. */
  async casesOfCaller(p: Principal, phone: string, limit = 50): Promise<CaseDoc[]> {
    const key = normalizePhone(phone);
    if (!key) throw new CityLoopError('VALIDATION_FAILED', { detail: 'phone must have at least 5 digits' });
    return (await casesOfPhone(this.#w.d.store.db, key, limit)).filter((d) => canSeeCase(p, d));
  }

  /** Throws unless the principal may give this command on the case (for steps done outside decide). */
  assertMay(p: Principal, doc: CaseDoc, type: CaseCommand['type']): void {
    assertMayCommand(p, doc, { type });
  }

  /**
   * What a view of the case needs besides the case: the steps the caller may take now, each
   * dry-run through the policy and `decideCase` (allowed-actions.ts), and the category's names.
   */
  viewContext(p: Principal, doc: CaseDoc): CaseViewContext {
    const cat = this.#w.d.org.category(doc.categoryCode);
    return {
      checks: checkActions(p, doc, (d, cmd) => this.#w.contextFor(d, cmd)),
      category: cat ? { zh: cat.nameZh, en: cat.nameEn } : null,
    };
  }

  /** One case by its id or its number (CL20261207000002: what people read out and put in links). */
  async get(p: Principal, id: string): Promise<CaseDoc> {
    const doc = (await caseById(this.#w.d.store.db, id)) ?? (await caseByNumber(this.#w.d.store.db, id));
    if (!doc) throw new CityLoopError('NOT_FOUND', { what: 'case', id });
    if (!canSeeCase(p, doc)) throw new CityLoopError('FORBIDDEN_JURISDICTION');
    return doc;
  }

  /** Cases by id, many at once, those the user may see (the feed's history). */
  async visibleByIds(p: Principal, ids: readonly string[]): Promise<Map<string, CaseDoc>> {
    const found = await casesByIds(this.#w.d.store.db, ids);
    for (const [id, doc] of found) if (!canSeeCase(p, doc)) found.delete(id);
    return found;
  }

  /** A shift's handover of the cases the user may see (handover-queries.ts). */
  handover(p: Principal, q: { since: string; jurisdiction?: string | undefined; limit: number }): Promise<Handover> {
    return handoverOf(this.#w.d.store.db, this.#w.d.resolver(), p, q);
  }

  /** The events of every case the user may see that ran a plan, for its review (复盘). */
  async eventsOfPlanCases(p: Principal, planId: string, limit = 5000): Promise<CaseEvent[][]> {
    const visible = (await casesOfPlan(this.#w.d.store.db, planId, limit)).filter((d) => canSeeCase(p, d)).map((d) => d.id);
    return eventsOfCases(this.#w.d.store.db, visible);
  }

  async timeline(p: Principal, id: string): Promise<CaseEvent[]> {
    const doc = await this.get(p, id);
    return caseTimeline(this.#w.d.store.db, doc.id);
  }

  list(p: Principal, f: CaseListFilter): Promise<{ items: CaseDoc[]; nextCursor: string | null }> {
    return listCases(this.#w.d.store.db, this.#w.d.resolver(), p, f);
  }
}
