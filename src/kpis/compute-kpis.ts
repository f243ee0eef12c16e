import type { CaseDoc, TaskDoc } from '../cases/case-model.ts';

/**
 * 三率 and the other performance figures, computed from the case projections. Pure: the caller
 * chooses the cases (the user's jurisdiction, a time window) and the grouping.
 *
 * Definitions (docs/reference/kpis.md):
 * - 响应率 response rate: of the registered cases, the share whose first unit signed for it
 *   (accepted a task) by the case's respond deadline. Per unit: of its tasks, the share accepted by
 *   the task's respond deadline.
 * - 解决率 resolution rate: of the registered cases, the share closed (结案 or evaluated).
 * - 满意率 satisfaction rate: of the evaluated cases, the share satisfied or basically satisfied.
 * - 按时办结率 on-time rate: of the closed cases, the share closed by their resolve deadline. Per
 *   unit: of its finished tasks, the share done by the task's deadline.
 * - 平均办理时长 average handling time: registration → closure, in hours, over closed cases
 *   (per unit: dispatch → done of its tasks).
 * A rate with nothing to count is null, not 0: no data is not a bad score.
 */
export type KpiGroup = 'district' | 'street' | 'category' | 'unit' | 'center' | 'all';
export type KpiPeriod = 'day' | 'week' | 'month' | 'all';

export interface KpiRow {
  readonly group: string;
  readonly groupName: string;
  readonly period: string;
  readonly cases: number;
  readonly registered: number;
  readonly responseRate: number | null;
  readonly resolutionRate: number | null;
  readonly satisfactionRate: number | null;
  readonly onTimeRate: number | null;
  readonly averageHandlingHours: number | null;
  readonly overdue: number;
}

interface Acc {
  group: string;
  groupName: string;
  period: string;
  cases: number;
  registered: number;
  responded: number;
  respondDen: number;
  closed: number;
  evaluated: number;
  satisfied: number;
  onTime: number;
  onTimeDen: number;
  handlingHours: number;
  handled: number;
  overdue: number;
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/** The period a moment falls in, in China's local time: 2026-11-28, 2026-W48, 2026-11, or 'all'. */
export function periodOf(iso: string, period: KpiPeriod): string {
  if (period === 'all') return 'all';
  const local = new Date(Date.parse(iso) + CHINA_OFFSET_MS);
  const day = local.toISOString().slice(0, 10);
  if (period === 'day') return day;
  if (period === 'month') return day.slice(0, 7);
  // ISO 8601 week: the week with the year's first Thursday is week 1.
  const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
const hours = (a: string, b: string): number => (Date.parse(b) - Date.parse(a)) / 3_600_000;
const isClosed = (d: CaseDoc) => d.state === 'closed' || d.state === 'evaluated';

function groupsOf(d: CaseDoc, by: KpiGroup, names: (code: string) => string | undefined): [string, string][] {
  switch (by) {
    case 'all':
      return [['all', '全部']];
    case 'district':
    case 'street': {
      const l = d.chain.find((x) => x.level === by);
      return l ? [[l.code, l.name]] : [];
    }
    case 'category':
      return [[d.categoryCode, names(d.categoryCode) ?? d.categoryCode]];
    case 'center':
      return [[d.centerId, names(d.centerId) ?? d.centerId]];
    case 'unit':
      return [];
  }
}

function empty(group: string, groupName: string, period: string): Acc {
  return { group, groupName, period, cases: 0, registered: 0, responded: 0, respondDen: 0, closed: 0, evaluated: 0, satisfied: 0, onTime: 0, onTimeDen: 0, handlingHours: 0, handled: 0, overdue: 0 };
}

export interface KpiOptions {
  readonly groupBy: KpiGroup;
  readonly period: KpiPeriod;
  readonly names?: (code: string) => string | undefined;
}

/**
 * The figures counted case by case, a page at a time: memory holds one counter per group and
 * period, never the cases, so however many cases a question covers, all are counted (no cap).
 */
export class KpiTally {
  readonly #opts: KpiOptions;
  readonly #accs = new Map<string, Acc>();
  #cases = 0;
  constructor(opts: KpiOptions) {
    this.#opts = opts;
  }

  /** How many cases were counted. */
  get cases(): number {
    return this.#cases;
  }

  add(docs: readonly CaseDoc[]): this {
    const names = this.#opts.names ?? (() => undefined);
    const acc = (group: string, groupName: string, period: string): Acc => {
      const k = `${group}\u0000${period}`;
      let a = this.#accs.get(k);
      if (!a) this.#accs.set(k, (a = empty(group, groupName, period)));
      return a;
    };
    for (const d of docs) {
      this.#cases += 1;
      const period = periodOf(d.createdAt, this.#opts.period);
      if (this.#opts.groupBy === 'unit') {
        addUnitFigures(d, period, acc);
        continue;
      }
      for (const [g, n] of groupsOf(d, this.#opts.groupBy, names)) addCaseFigures(d, acc(g, n, period));
    }
    return this;
  }

  rows(): KpiRow[] {
    return rowsOf(this.#accs);
  }
}

/** Every page of cases the source yields, counted; the source decides the pages, nothing stops early. */
export async function tallyKpis(pages: AsyncIterable<readonly CaseDoc[]>, opts: KpiOptions): Promise<{ cases: number; rows: KpiRow[] }> {
  const tally = new KpiTally(opts);
  for await (const page of pages) tally.add(page);
  return { cases: tally.cases, rows: tally.rows() };
}

export function computeKpis(docs: readonly CaseDoc[], opts: KpiOptions): KpiRow[] {
  return new KpiTally(opts).add(docs).rows();
}

function rowsOf(accs: ReadonlyMap<string, Acc>): KpiRow[] {
  return [...accs.values()]
    .map((a) => ({
      group: a.group,
      groupName: a.groupName,
      period: a.period,
      cases: a.cases,
      registered: a.registered,
      responseRate: ratio(a.responded, a.respondDen),
      resolutionRate: ratio(a.closed, a.registered),
      satisfactionRate: ratio(a.satisfied, a.evaluated),
      onTimeRate: ratio(a.onTime, a.onTimeDen),
      averageHandlingHours: a.handled === 0 ? null : Math.round((a.handlingHours / a.handled) * 100) / 100,
      overdue: a.overdue,
    }))
    .sort((x, y) => x.period.localeCompare(y.period) || x.group.localeCompare(y.group));
}

function addCaseFigures(d: CaseDoc, a: Acc): void {
  a.cases += 1;
  if (d.overdue) a.overdue += 1;
  if (d.registeredAt === null || d.state === 'declined') return;
  a.registered += 1;
  if (d.respondDue) {
    a.respondDen += 1;
    if (d.respondedAt !== null && d.respondedAt <= d.respondDue) a.responded += 1;
  }
  if (isClosed(d)) {
    a.closed += 1;
    if (d.closedAt && d.resolveDue) {
      a.onTimeDen += 1;
      if (d.closedAt <= d.resolveDue) a.onTime += 1;
    }
    if (d.closedAt) {
      a.handlingHours += hours(d.registeredAt, d.closedAt);
      a.handled += 1;
    }
  }
  if (d.evaluation) {
    a.evaluated += 1;
    if (d.evaluation.satisfaction !== 'unsatisfied') a.satisfied += 1;
  }
}

function addUnitFigures(d: CaseDoc, period: string, acc: (g: string, n: string, p: string) => Acc): void {
  const seen = new Set<string>();
  for (const t of d.tasks as TaskDoc[]) {
    if (t.state === 'cancelled') continue;
    const a = acc(t.unitId, t.unitName, period);
    if (!seen.has(t.unitId)) {
      seen.add(t.unitId);
      a.cases += 1;
      if (isClosed(d)) a.closed += 1;
      a.registered += 1;
      if (d.evaluation && t.role === 'lead') {
        a.evaluated += 1;
        if (d.evaluation.satisfaction !== 'unsatisfied') a.satisfied += 1;
      }
    }
    if (t.overdue) a.overdue += 1;
    a.respondDen += 1;
    if (t.acceptedAt !== null && t.acceptedAt <= t.respondDue) a.responded += 1;
    if (t.state === 'done' && t.doneAt) {
      a.onTimeDen += 1;
      if (t.doneAt <= t.deadline) a.onTime += 1;
      a.handlingHours += hours(t.dispatchedAt, t.doneAt);
      a.handled += 1;
    }
  }
}

/** Units ranked: on-time rate, then satisfaction, then response; units without data last. */
export function rankUnits(rows: readonly KpiRow[]): (KpiRow & { rank: number })[] {
  const score = (r: KpiRow) => [r.onTimeRate ?? -1, r.satisfactionRate ?? -1, r.responseRate ?? -1];
  return [...rows]
    .sort((a, b) => {
      const [x, y] = [score(a), score(b)];
      for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
      return a.group.localeCompare(b.group);
    })
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

/** CSV with a header of the Chinese and English names, for spreadsheets. */
export function kpisToCsv(rows: readonly KpiRow[]): string {
  const head = ['分组 group', '名称 name', '周期 period', '事项数 cases', '立案数 registered', '响应率 response rate', '解决率 resolution rate', '满意率 satisfaction rate', '按时办结率 on-time rate', '平均办理时长(小时) avg handling hours', '超期 overdue'];
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    // Quote when needed; a leading = + - @ is neutralised so a spreadsheet does not run it.
    const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = rows.map((r) => [r.group, r.groupName, r.period, r.cases, r.registered, r.responseRate, r.resolutionRate, r.satisfactionRate, r.onTimeRate, r.averageHandlingHours, r.overdue].map(cell).join(','));
  return `\uFEFF${[head.join(','), ...lines].join('\n')}\n`;
}
