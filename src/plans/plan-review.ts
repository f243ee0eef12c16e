import type { CaseEvent } from '../cases/case-events.ts';
import type { TaskRole } from '../cases/case-model.ts';

/**
 * Review (复盘) of a plan from the log of the cases it ran: how long each of its tasks took to be
 * accepted and to be finished, how long the center's own steps took, and where cases waited
 * longest. Pure: it reads event lists and returns figures, so the same code serves the API, the
 * CLI and tests.
 *
 * Percentiles are nearest-rank: the p-th percentile of n sorted times is the value at rank
 * ⌈p/100 · n⌉ (1-based). Every figure is therefore a time that actually occurred; the median is
 * the 50th percentile by the same rule, i.e. the lower of the two middle values when n is even.
 *
 * Which cases count: those with a PlanApplied of the plan (of the given version, when one is
 * asked for) whose last CaseClosed is not followed by a CaseReopened — evaluated cases are
 * closed; a case reopened and not yet closed again is open and left out.
 *
 * Which step a task belongs to: the `plan.key` the plan gave it when it was dispatched. A task
 * dispatched by hand in the same case (a new lead after a return, a new round after a reopen)
 * carries no plan info; it takes the key of the plan task that the same unit held in that case,
 * or, for a lead, the key of the plan's lead task — it does the same part of the plan. Any other
 * hand-dispatched task is only counted in `unplannedTasks`. Every task is measured on its own
 * (by task id), from the CaseDispatched that created it, so a later round's task is timed from
 * the later dispatch.
 */

export type PercentileMethod = 'nearest-rank';

/** Times in seconds; `null` when there was nothing to measure. */
export interface DurationStats {
  /** How many times were measured. */
  readonly count: number;
  readonly medianSeconds: number | null;
  readonly p90Seconds: number | null;
  readonly maxSeconds: number | null;
}

/** One task key of a plan (for example `repair`), over every task that played it. */
export interface TaskStepStats {
  readonly planId: string;
  readonly key: string;
  /** Tasks that played this part (each round's task counts on its own). */
  readonly count: number;
  readonly accepted: number;
  readonly done: number;
  /** Dispatch → TaskAccepted. */
  readonly dispatchToAccept: DurationStats;
  /** Dispatch → TaskCompleted. */
  readonly dispatchToDone: DurationStats;
  /** TaskAccepted → TaskCompleted: the 'work' phase of the ranking. */
  readonly acceptToDone: DurationStats;
  /** Tasks sent back by their unit. */
  readonly returned: number;
  /** Tasks reminded (催办) at least once, and the reminders in all. */
  readonly reminded: number;
  readonly reminders: number;
  /** Tasks that passed their deadline. */
  readonly overdue: number;
  /** Tasks still open when a reopen voided their round. */
  readonly cancelled: number;
}

/** The case's own spans, one time per case, measured to its final closure. */
export interface CaseSpanStats {
  /** CaseReported → PlanApplied. */
  readonly reportToApplied: DurationStats;
  /** PlanApplied → the CaseReportedBack that led to the final closure. */
  readonly appliedToReportedBack: DurationStats;
  /** That CaseReportedBack → the final CaseClosed. */
  readonly reportedBackToClosed: DurationStats;
}

export type TaskPhase = 'accept' | 'work';
export type CasePhase = 'register' | 'check' | 'close';
export type WaitPhase = TaskPhase | CasePhase;

/**
 * A step cases waited on. Task phases: 'accept' dispatch → accepted, 'work' accepted → done.
 * Case phases (samples per round): 'register' report → plan applied, 'check' reported back →
 * the check's outcome (CaseChecked or the CaseReopened of a failed check), 'close' checked →
 * closed. The span applied → reported back is the tasks' time, ranked through their steps.
 */
export interface WaitStep {
  /** `repair/accept`, `check`, … (with `planId:` in front when several plans are reviewed). */
  readonly step: string;
  readonly phase: WaitPhase;
  /** The task key for task phases, null for case phases. */
  readonly key: string | null;
  readonly planId: string | null;
  readonly count: number;
  readonly medianSeconds: number;
  readonly p90Seconds: number;
}

export interface PlanReview {
  /** The plan reviewed; null when every plan's cases were reviewed together. */
  readonly planId: string | null;
  /** The version asked for, or null for all versions. */
  readonly version: number | null;
  /** The versions and names the reviewed cases ran. */
  readonly versions: readonly number[];
  readonly names: readonly string[];
  /** Closed cases reviewed. */
  readonly cases: number;
  /** Cases that ran the plan but are not closed (left out of every figure). */
  readonly openCases: number;
  /** Reviewed cases that were reopened at least once. */
  readonly reopenedCases: number;
  /** Per task key, in the order the plan first dispatched them. */
  readonly tasks: readonly TaskStepStats[];
  /** Hand-dispatched tasks that could not be tied to a part of the plan. */
  readonly unplannedTasks: number;
  readonly caseSpans: CaseSpanStats;
  /** Per case phase, samples per round. */
  readonly casePhases: Readonly<Record<CasePhase, DurationStats>>;
  /** The five steps with the longest median wait, longest first (ties: longer p90 first). */
  readonly longestWaits: readonly WaitStep[];
  readonly percentile: PercentileMethod;
}

export interface ReviewOptions {
  readonly planId?: string | undefined;
  readonly version?: number | undefined;
  /** How many steps `longestWaits` lists (5). */
  readonly top?: number | undefined;
}

/**
 * The nearest-rank percentile of times sorted ascending: the value at rank ⌈p/100 · n⌉.
 * `null` for no times.
 */
export function percentileNearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`a percentile lies in (0, 100], not ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

export function summarizeDurations(seconds: readonly number[]): DurationStats {
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianSeconds: percentileNearestRank(sorted, 50),
    p90Seconds: percentileNearestRank(sorted, 90),
    maxSeconds: sorted.length > 0 ? sorted[sorted.length - 1]! : null,
  };
}

interface TaskTrack {
  readonly taskId: string;
  readonly unitId: string;
  readonly role: TaskRole;
  readonly planKey: string | null;
  readonly dispatchedAt: number;
  acceptedAt: number | null;
  doneAt: number | null;
  returned: boolean;
  cancelled: boolean;
  reminders: number;
  overdue: boolean;
}

interface StepSamples {
  readonly planId: string;
  readonly key: string;
  count: number;
  accepted: number;
  done: number;
  readonly toAccept: number[];
  readonly toDone: number[];
  readonly work: number[];
  returned: number;
  reminded: number;
  reminders: number;
  overdue: number;
  cancelled: number;
}

const seconds = (from: number, to: number): number => (to - from) / 1000;

function timeOf(e: CaseEvent): number {
  const t = Date.parse(e.at);
  if (Number.isNaN(t)) throw new Error(`event ${e.type} (${e.id}) has no valid time: ${e.at}`);
  return t;
}

/** True when the case's last CaseClosed is not followed by a CaseReopened. */
function isClosed(events: readonly CaseEvent[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const t = events[i]!.type;
    if (t === 'CaseClosed') return true;
    if (t === 'CaseReopened') return false;
  }
  return false;
}

export function reviewPlan(cases: readonly (readonly CaseEvent[])[], opts: ReviewOptions = {}): PlanReview {
  const planId = opts.planId ?? null;
  const version = opts.version ?? null;
  const several = planId === null;
  const steps = new Map<string, StepSamples>();
  const stepOf = (pid: string, key: string): StepSamples => {
    const id = `${pid}\u0000${key}`;
    let s = steps.get(id);
    if (!s) {
      s = { planId: pid, key, count: 0, accepted: 0, done: 0, toAccept: [], toDone: [], work: [], returned: 0, reminded: 0, reminders: 0, overdue: 0, cancelled: 0 };
      steps.set(id, s);
    }
    return s;
  };
  const versions = new Set<number>();
  const names = new Set<string>();
  const phases: Record<CasePhase, number[]> = { register: [], check: [], close: [] };
  const reportToApplied: number[] = [];
  const appliedToReportedBack: number[] = [];
  const reportedBackToClosed: number[] = [];
  let reviewed = 0;
  let open = 0;
  let reopened = 0;
  let unplanned = 0;

  for (const events of cases) {
    const applied = events.find(
      (e): e is Extract<CaseEvent, { type: 'PlanApplied' }> =>
        e.type === 'PlanApplied' && (planId === null || e.payload.planId === planId) && (version === null || e.payload.version === version),
    );
    if (!applied) continue;
    if (!isClosed(events)) {
      open += 1;
      continue;
    }
    reviewed += 1;
    versions.add(applied.payload.version);
    names.add(applied.payload.name);
    const pid = applied.payload.planId;
    const appliedAt = timeOf(applied);

    const tasks = new Map<string, TaskTrack>();
    let reportedAt: number | null = null;
    let reportedBackAt: number | null = null;
    let checkedAt: number | null = null;
    let wasReopened = false;
    // The report back and the closure of the final round.
    let lastReportedBack: number | null = null;
    let finalReportedBack: number | null = null;
    let finalClosed: number | null = null;
    for (const e of events) {
      const at = timeOf(e);
      switch (e.type) {
        case 'CaseReported':
          reportedAt ??= at;
          break;
        case 'CaseDispatched':
          for (const t of e.payload.tasks) {
            tasks.set(t.taskId, {
              taskId: t.taskId,
              unitId: t.unitId,
              role: t.role,
              planKey: t.plan?.key ?? null,
              dispatchedAt: at,
              acceptedAt: null,
              doneAt: null,
              returned: false,
              cancelled: false,
              reminders: 0,
              overdue: false,
            });
          }
          break;
        case 'TaskAccepted': {
          const t = tasks.get(e.payload.taskId);
          if (t && t.acceptedAt === null) t.acceptedAt = at;
          break;
        }
        case 'TaskCompleted': {
          const t = tasks.get(e.payload.taskId);
          if (t && t.doneAt === null) t.doneAt = at;
          break;
        }
        case 'TaskReturned': {
          const t = tasks.get(e.payload.taskId);
          if (t) t.returned = true;
          break;
        }
        case 'TaskReminded': {
          const t = tasks.get(e.payload.taskId);
          if (t) t.reminders += 1;
          break;
        }
        case 'TaskOverdue': {
          const t = tasks.get(e.payload.taskId);
          if (t) t.overdue = true;
          break;
        }
        case 'CaseReportedBack':
          reportedBackAt = at;
          lastReportedBack = at;
          break;
        case 'CaseChecked':
          if (reportedBackAt !== null) phases.check.push(seconds(reportedBackAt, at));
          reportedBackAt = null;
          checkedAt = at;
          break;
        case 'CaseReopened':
          wasReopened = true;
          // A failed check is the check's outcome; a reopen after closure is not.
          if (reportedBackAt !== null) phases.check.push(seconds(reportedBackAt, at));
          reportedBackAt = null;
          checkedAt = null;
          for (const t of tasks.values()) if (t.doneAt === null && !t.returned) t.cancelled = true;
          break;
        case 'CaseClosed':
          if (checkedAt !== null) phases.close.push(seconds(checkedAt, at));
          checkedAt = null;
          finalClosed = at;
          finalReportedBack = lastReportedBack;
          break;
        default:
          break;
      }
    }
    if (wasReopened) reopened += 1;
    if (reportedAt !== null) {
      reportToApplied.push(seconds(reportedAt, appliedAt));
      phases.register.push(seconds(reportedAt, appliedAt));
    }
    if (finalReportedBack !== null && finalClosed !== null) {
      appliedToReportedBack.push(seconds(appliedAt, finalReportedBack));
      reportedBackToClosed.push(seconds(finalReportedBack, finalClosed));
    }

    // Hand-dispatched tasks inherit the part of the plan they took over.
    const keyByUnit = new Map<string, string>();
    let leadKey: string | null = null;
    for (const t of tasks.values()) {
      if (t.planKey === null) continue;
      keyByUnit.set(t.unitId, t.planKey);
      if (t.role === 'lead') leadKey ??= t.planKey;
    }
    for (const t of tasks.values()) {
      const key = t.planKey ?? keyByUnit.get(t.unitId) ?? (t.role === 'lead' ? leadKey : null);
      if (key === null) {
        unplanned += 1;
        continue;
      }
      const s = stepOf(pid, key);
      s.count += 1;
      if (t.acceptedAt !== null) {
        s.accepted += 1;
        s.toAccept.push(seconds(t.dispatchedAt, t.acceptedAt));
      }
      if (t.doneAt !== null) {
        s.done += 1;
        s.toDone.push(seconds(t.dispatchedAt, t.doneAt));
        if (t.acceptedAt !== null) s.work.push(seconds(t.acceptedAt, t.doneAt));
      }
      if (t.returned) s.returned += 1;
      if (t.cancelled) s.cancelled += 1;
      if (t.reminders > 0) s.reminded += 1;
      s.reminders += t.reminders;
      if (t.overdue) s.overdue += 1;
    }
  }

  const taskStats: TaskStepStats[] = [...steps.values()].map((s) => ({
    planId: s.planId,
    key: s.key,
    count: s.count,
    accepted: s.accepted,
    done: s.done,
    dispatchToAccept: summarizeDurations(s.toAccept),
    dispatchToDone: summarizeDurations(s.toDone),
    acceptToDone: summarizeDurations(s.work),
    returned: s.returned,
    reminded: s.reminded,
    reminders: s.reminders,
    overdue: s.overdue,
    cancelled: s.cancelled,
  }));
  const casePhases: Record<CasePhase, DurationStats> = {
    register: summarizeDurations(phases.register),
    check: summarizeDurations(phases.check),
    close: summarizeDurations(phases.close),
  };

  const candidates: WaitStep[] = [];
  const push = (phase: WaitPhase, key: string | null, pid: string | null, d: DurationStats) => {
    if (d.medianSeconds === null || d.p90Seconds === null) return;
    const name = key === null ? phase : `${key}/${phase}`;
    candidates.push({
      step: several && pid !== null ? `${pid}:${name}` : name,
      phase,
      key,
      planId: pid,
      count: d.count,
      medianSeconds: d.medianSeconds,
      p90Seconds: d.p90Seconds,
    });
  };
  for (const t of taskStats) {
    push('accept', t.key, t.planId, t.dispatchToAccept);
    push('work', t.key, t.planId, t.acceptToDone);
  }
  for (const phase of ['register', 'check', 'close'] as const) push(phase, null, planId, casePhases[phase]);
  candidates.sort((a, b) => b.medianSeconds - a.medianSeconds || b.p90Seconds - a.p90Seconds || (a.step < b.step ? -1 : a.step > b.step ? 1 : 0));

  return {
    planId,
    version,
    versions: [...versions].sort((a, b) => a - b),
    names: [...names],
    cases: reviewed,
    openCases: open,
    reopenedCases: reopened,
    tasks: taskStats,
    unplannedTasks: unplanned,
    caseSpans: {
      reportToApplied: summarizeDurations(reportToApplied),
      appliedToReportedBack: summarizeDurations(appliedToReportedBack),
      reportedBackToClosed: summarizeDurations(reportedBackToClosed),
    },
    casePhases,
    longestWaits: candidates.slice(0, opts.top ?? 5),
    percentile: 'nearest-rank',
  };
}

/** One review per plan found in the cases, by plan id. */
export function reviewPlans(cases: readonly (readonly CaseEvent[])[]): PlanReview[] {
  const ids = new Set<string>();
  for (const events of cases) for (const e of events) if (e.type === 'PlanApplied') ids.add(e.payload.planId);
  return [...ids].sort().map((id) => reviewPlan(cases, { planId: id }));
}
