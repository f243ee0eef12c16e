/**
 * 清点: the decision on a task that accounts for people (避险转移: `plan.expected` people to move),
 * pure, beside `decideCase` (which calls it). A count replaces the last one; once it accounts for
 * everyone expected (`tallyAccountedFor`) — or the center overrides it — the task is done in the
 * same decision, signed for first if it was not: the count is the unit's answer, and its reading
 * (people unaccounted for) is the evidence the plan asks for.
 */
import { CityLoopError } from '../errors.ts';
import type { CaseEventBody } from './case-events.ts';
import { isOpenTask, tallyAccountedFor, TASK_STATE_NAMES, type CaseDoc } from './case-model.ts';

export type TallyCommand =
  /** The task's unit reports its whole current count (moved, staying, missing). */
  | { type: 'tally_task'; taskId: string; moved: number; staying: number; missing: number; note?: string | undefined }
  /** The center accepts a task's count as final without everyone accounted for, with the reason. */
  | { type: 'override_tally'; taskId: string; reason: string };

export const TALLY_COMMAND_NAMES: Record<TallyCommand['type'], { zh: string; en: string }> = {
  tally_task: { zh: '上报清点人数', en: 'report the count' },
  override_tally: { zh: '确认清点结果', en: 'accept the count as final' },
};

function countOf(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10_000_000) {
    throw new CityLoopError('VALIDATION_FAILED', { detail: `${field} must be a whole number of people from 0`, detailZh: `${field} 须为不小于 0 的整数人数` }, { field });
  }
  return value;
}

export function decideTally(doc: CaseDoc, cmd: TallyCommand): CaseEventBody[] {
  const t = doc.tasks.find((x) => x.id === cmd.taskId);
  if (!t) throw new CityLoopError('NOT_FOUND', { what: 'task', id: cmd.taskId });
  if (t.round !== doc.round || !isOpenTask(t)) {
    const names = TALLY_COMMAND_NAMES[cmd.type];
    throw new CityLoopError('TASK_INVALID_TRANSITION', { state: t.state, stateZh: TASK_STATE_NAMES[t.state].zh, stateEn: TASK_STATE_NAMES[t.state].en, action: cmd.type, actionZh: names.zh, actionEn: names.en });
  }
  const expected = t.plan?.expected;
  if (expected === undefined) throw new CityLoopError('CASE_RULE_VIOLATED', { detail: `the task of ${t.unitName} keeps no count of people`, detailZh: `${t.unitName}的任务不需要清点人数` });
  let tally: { moved: number; staying: number; missing: number; note: string | null; override: string | null };
  if (cmd.type === 'tally_task') {
    tally = { moved: countOf(cmd.moved, 'moved'), staying: countOf(cmd.staying, 'staying'), missing: countOf(cmd.missing, 'missing'), note: cmd.note?.trim() || null, override: null };
  } else {
    const reason = cmd.reason?.trim();
    if (!reason) throw new CityLoopError('VALIDATION_FAILED', { detail: 'reason is required', detailZh: '请填写原因' });
    tally = { moved: t.tally?.moved ?? 0, staying: t.tally?.staying ?? 0, missing: t.tally?.missing ?? 0, note: t.tally?.note ?? null, override: reason };
  }
  const out: CaseEventBody[] = [{ type: 'TaskTallied', payload: { taskId: t.id, ...tally } }];
  if (!tallyAccountedFor(expected, tally)) return out;
  if (t.state === 'dispatched') out.push({ type: 'TaskAccepted', payload: { taskId: t.id } });
  // The missing are among those expected: not known safe is whichever is larger, the missing or the shortfall.
  const unaccounted = Math.max(tally.missing, expected - tally.moved - tally.staying, 0);
  const note =
    tally.override !== null
      ? `清点结果由中心确认：${tally.override}（已转移 ${tally.moved}，就地避险 ${tally.staying}，失联 ${tally.missing}）`
      : `清点完毕：已转移 ${tally.moved}，就地避险 ${tally.staying}，失联 0`;
  out.push({ type: 'TaskCompleted', payload: { taskId: t.id, note, evidence: { attachmentIds: [], reading: { name: 'unaccounted', value: unaccounted, unit: '人' } } } });
  return out;
}
