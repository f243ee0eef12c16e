import { DateField } from './date-field.tsx';
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { COMMAND_NAMES, SATISFACTION_NAMES, nameOf, type Pair } from '../labels.ts';
import { Dialog } from './dialog.tsx';
import type { CaseView } from '../types.ts';

/** One step the server offers on a case (`allowedActions`): allowed now, or the reason it is not. */
export type OfferedStep = CaseView['allowedActions'][number];

/** The route of a step: the case's own, or its task's. */
export function stepPath(s: Pick<OfferedStep, 'action' | 'taskId'>): string {
  const task: Record<string, string> = { accept_task: 'accept', start_task: 'start', complete_task: 'complete', return_task: 'return' };
  if (task[s.action] && s.taskId) return `tasks/${s.taskId}/${task[s.action]}`;
  return s.action.replaceAll('_', '-');
}

/** What a step asks of the person: the field it sends and its label (办理结果, 退回原因 …); none for a plain click. */
export const STEP_FIELDS: Record<string, { field: string; label: Pair; required: boolean }> = {
  register: { field: 'note', label: ['立案意见（可选）', 'Note (optional)'], required: false },
  decline: { field: 'reason', label: ['不予立案理由', 'Why it is declined'], required: true },
  report_back: { field: 'summary', label: ['办理结果', 'Result of the handling'], required: true },
  close: { field: 'note', label: ['结案说明（可选）', 'Closing note (optional)'], required: false },
  reopen: { field: 'reason', label: ['重新办理原因', 'Why it is reopened'], required: true },
  escalate: { field: 'reason', label: ['上报原因', 'Why it goes up a tier'], required: true },
  supervise: { field: 'reason', label: ['督办意见', 'Supervision instructions'], required: true },
  unpark: { field: 'note', label: ['解除挂账说明（可选）', 'Note (optional)'], required: false },
  remind: { field: 'reason', label: ['催办说明（可选）', 'Message to the unit (optional)'], required: false },
  return_task: { field: 'reason', label: ['退回原因', 'Why it is returned'], required: true },
  complete_task: { field: 'note', label: ['办理结果', 'Result of the handling'], required: true },
};

/** Steps with a dialog of their own (their fields are more than one text). */
export const DIALOG_STEPS = new Set(['apply_plan', 'check', 'park', 'evaluate']);
/** Steps a page cannot offer from the case page yet (chosen units, a joint agreement): the cockpit's dialogs take them. */
export const ELSEWHERE_STEPS = new Set(['dispatch', 'agree_coordination']);

export function stepName(s: Pick<OfferedStep, 'action' | 'name'>, tr: (zh: string, en: string) => string): string {
  return COMMAND_NAMES[s.action] ? nameOf(COMMAND_NAMES, s.action, tr) : s.name;
}

export function CheckDialog({ onDone }: { onDone: (r: { passed: boolean; note: string } | null) => void }) {
  const { tr } = useI18n();
  const [passed, setPassed] = useState(true);
  const [note, setNote] = useState('');
  return (
    <Dialog title={tr('核查', 'Check')} onClose={() => onDone(null)}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); onDone({ passed, note }); }}>
        <fieldset>
          <legend>{tr('核查结果', 'Result')}</legend>
          <label className="inline">
            <input type="radio" name="passed" checked={passed} onChange={() => setPassed(true)} /> {tr('通过', 'Passed')}
          </label>
          <label className="inline">
            <input type="radio" name="passed" checked={!passed} onChange={() => setPassed(false)} /> {tr('不通过（重新办理）', 'Failed (reopen)')}
          </label>
        </fieldset>
        <label>
          {passed ? tr('核查说明（可选）', 'Note (optional)') : tr('不通过原因', 'Why it failed')}
          <input value={note} onChange={(e) => setNote(e.target.value)} required={!passed} />
        </label>
        <div className="row end">
          <button type="button" onClick={() => onDone(null)}>{tr('取消', 'Cancel')}</button>
          <button type="submit" className="primary">{tr('提交核查', 'Submit check')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** 挂账: why, and the date it comes up for review (the server refuses a date in the past). */
export function ParkDialog({ onDone }: { onDone: (r: { reason: string; reviewAt: string } | null) => void }) {
  const { tr } = useI18n();
  const tomorrow = new Date(Date.now() + 86_400_000 * 30).toISOString().slice(0, 10);
  const [reason, setReason] = useState('');
  const [date, setDate] = useState(tomorrow);
  return (
    <Dialog title={tr('挂账', 'Park')} onClose={() => onDone(null)}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); if (reason.trim() && date) onDone({ reason: reason.trim(), reviewAt: new Date(`${date}T09:00:00+08:00`).toISOString() }); }}>
        <label>
          {tr('挂账原因', 'Why it is parked')}
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} required rows={3} autoFocus />
        </label>
        <label>
          {tr('复查日期', 'Review date')}
          <DateField value={date} min={new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)} onChange={setDate} required testId="park-review" />
        </label>
        <div className="row end">
          <button type="button" onClick={() => onDone(null)}>{tr('取消', 'Cancel')}</button>
          <button type="submit" className="primary">{tr('挂账', 'Park')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** 评价 (回访): solved or not, satisfaction, a comment. */
export function EvaluateDialog({ onDone }: { onDone: (r: { solved: boolean; satisfaction: string; comment: string } | null) => void }) {
  const { tr } = useI18n();
  const [solved, setSolved] = useState(true);
  const [satisfaction, setSatisfaction] = useState('satisfied');
  const [comment, setComment] = useState('');
  return (
    <Dialog title={tr('回访评价', 'Follow-up evaluation')} onClose={() => onDone(null)}>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); onDone({ solved, satisfaction, comment: comment.trim() }); }}>
        <fieldset>
          <legend>{tr('问题是否解决', 'Was the problem solved?')}</legend>
          <label className="inline"><input type="radio" name="solved" checked={solved} onChange={() => setSolved(true)} /> {tr('已解决', 'Yes')}</label>
          <label className="inline"><input type="radio" name="solved" checked={!solved} onChange={() => setSolved(false)} /> {tr('未解决', 'No')}</label>
        </fieldset>
        <label>
          {tr('满意度', 'Satisfaction')}
          <select value={satisfaction} onChange={(e) => setSatisfaction(e.target.value)}>
            {Object.keys(SATISFACTION_NAMES).map((k) => (
              <option key={k} value={k}>{nameOf(SATISFACTION_NAMES, k, tr)}</option>
            ))}
          </select>
        </label>
        <label>
          {tr('回访意见（可选）', 'Comment (optional)')}
          <input value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
        <div className="row end">
          <button type="button" onClick={() => onDone(null)}>{tr('取消', 'Cancel')}</button>
          <button type="submit" className="primary">{tr('提交评价', 'Send')}</button>
        </div>
      </form>
    </Dialog>
  );
}
