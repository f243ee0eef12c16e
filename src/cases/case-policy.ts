import { CityLoopError } from '../errors.ts';
import type { CaseCommandType } from './decide-case.ts';
import type { CaseDoc, Tier } from './case-model.ts';
import { hasRole, type Principal } from '../auth/principal.ts';

/**
 * Who may see and do what on a case. Pure: the principal and the case decide.
 * - admin and system: everything;
 * - operators and supervisors of a center: cases located in the center's jurisdiction;
 * - unit staff: cases on which their unit has a task;
 * - grid workers: cases in their grid (or above: their jurisdiction), those they reported, and
 *   those on which their community office has a task (see `GRID_TASK_COMMANDS`);
 * - citizens: only what they reported themselves.
 */
const TIER_RANK: Record<Tier, number> = { city: 3, district: 2, street: 1 };

export function inJurisdiction(doc: Pick<CaseDoc, 'chain'>, code: string | null): boolean {
  return code !== null && doc.chain.some((l) => l.code === code);
}

/** An operator of a neighbouring district's center that shares the case (跨区域协同). */
function sharesCase(p: Principal, doc: CaseDoc): boolean {
  return hasRole(p, 'operator', 'supervisor') && p.centerId !== null && (doc.coordination?.centerIds.includes(p.centerId) ?? false);
}

export function canSeeCase(p: Principal, doc: CaseDoc): boolean {
  if (hasRole(p, 'admin', 'system')) return true;
  if (sharesCase(p, doc)) return true;
  if (hasRole(p, 'operator', 'supervisor') && inJurisdiction(doc, p.jurisdictionCode)) return true;
  if (hasRole(p, 'unit_staff', 'grid_worker') && p.unitId !== null && doc.tasks.some((t) => t.unitId === p.unitId)) return true;
  if (hasRole(p, 'grid_worker') && inJurisdiction(doc, p.jurisdictionCode)) return true;
  if (doc.reporter.userId !== null && doc.reporter.userId === p.userId) return true;
  return false;
}

/** Contact details of the reporter are for the center's staff and the reporter alone. */
export function canSeeReporterContact(p: Principal, doc: CaseDoc): boolean {
  if (hasRole(p, 'admin', 'system')) return true;
  if (hasRole(p, 'operator', 'supervisor') && inJurisdiction(doc, p.jurisdictionCode)) return true;
  return doc.reporter.userId !== null && doc.reporter.userId === p.userId;
}

/** The center's staff may steer a case owned at their tier or below, inside their jurisdiction. */
function steers(p: Principal, doc: CaseDoc): boolean {
  if (!hasRole(p, 'operator', 'supervisor')) return false;
  if (!inJurisdiction(doc, p.jurisdictionCode) || p.tier === null) return false;
  return TIER_RANK[p.tier] >= TIER_RANK[doc.tier];
}

const CENTER_COMMANDS: readonly CaseCommandType[] = ['register', 'decline', 'dispatch', 'apply_plan', 'override_action', 'record_sensor_state', 'merge_into', 'add_supporter', 'record_routing', 'report_back', 'check', 'close', 'reopen', 'escalate', 'park', 'unpark', 'remind', 'override_tally'];
const TASK_COMMANDS: readonly CaseCommandType[] = ['accept_task', 'start_task', 'arrive_task', 'complete_task', 'return_task', 'tally_task'];
/**
 * 网格化管理: a grid worker (网格员) walks one grid (`jurisdictionCode`) and belongs to the community
 * office (社区/网格工作站) of its street (`unitId`). Tasks sent to that office — a plan's "notify the
 * residents within 300 m" — are its grid workers' work: any of them may sign for, start and finish
 * one. Sending a task back ("not ours", 退回) stays with the office's staff, and a grid worker never
 * acts on another unit's task, a department's included, even on a case in the grid.
 */
const GRID_TASK_COMMANDS: readonly CaseCommandType[] = ['accept_task', 'start_task', 'arrive_task', 'complete_task', 'tally_task'];

/** May this person act on this task of the case (sign for, arrive on site, start, finish, return)? */
function assertMayWorkTask(p: Principal, doc: CaseDoc, t: CaseCommandType, taskId: string | undefined): void {
  const task = doc.tasks.find((x) => x.id === taskId);
  if (hasRole(p, 'unit_staff')) {
    if (!task || task.unitId !== p.unitId) throw new CityLoopError('FORBIDDEN_JURISDICTION');
    return;
  }
  if (hasRole(p, 'grid_worker')) {
    if (!GRID_TASK_COMMANDS.includes(t)) throw new CityLoopError('FORBIDDEN_ROLE', { action: t });
    if (!task || p.unitId === null || task.unitId !== p.unitId) throw new CityLoopError('FORBIDDEN_JURISDICTION');
    return;
  }
  throw new CityLoopError('FORBIDDEN_ROLE', { action: t });
}

export function assertMayCommand(p: Principal, doc: CaseDoc, cmd: { type: CaseCommandType; taskId?: string }): void {
  if (hasRole(p, 'admin', 'system')) return;
  if (!canSeeCase(p, doc)) throw new CityLoopError('FORBIDDEN_JURISDICTION');
  const t = cmd.type;
  if (CENTER_COMMANDS.includes(t)) {
    if (t === 'check' && hasRole(p, 'grid_worker') && inJurisdiction(doc, p.jurisdictionCode)) return; // 核查 on site
    if (steers(p, doc)) return;
    if (hasRole(p, 'operator', 'supervisor')) throw new CityLoopError('FORBIDDEN_JURISDICTION');
    throw new CityLoopError('FORBIDDEN_ROLE', { action: t });
  }
  if (TASK_COMMANDS.includes(t)) {
    assertMayWorkTask(p, doc, t, cmd.taskId);
    return;
  }
  if (t === 'agree_coordination' || t === 'accept_joint') {
    if (steers(p, doc) || sharesCase(p, doc)) return;
    throw new CityLoopError(hasRole(p, 'operator', 'supervisor') ? 'FORBIDDEN_JURISDICTION' : 'FORBIDDEN_ROLE', { action: t });
  }
  if (t === 'supervise') {
    if (hasRole(p, 'supervisor') && inJurisdiction(doc, p.jurisdictionCode)) return;
    throw new CityLoopError('FORBIDDEN_ROLE', { action: t });
  }
  if (t === 'evaluate') {
    if (doc.reporter.userId !== null && doc.reporter.userId === p.userId) return;
    if (steers(p, doc)) return; // 回访: an operator records the reporter's answer
    throw new CityLoopError('FORBIDDEN_ROLE', { action: t });
  }
  if (t === 'add_attachment') {
    if (canSeeCase(p, doc)) return;
  }
  throw new CityLoopError('FORBIDDEN_ROLE', { action: t });
}

/** Who may report a case at all. */
export function assertMayReport(p: Principal): void {
  if (hasRole(p, 'admin', 'system', 'operator', 'supervisor', 'grid_worker', 'citizen', 'unit_staff')) return;
  throw new CityLoopError('FORBIDDEN_ROLE', { action: 'report' });
}
