import type { CaseEvent } from '../cases/case-events.ts';
import type { CaseDoc } from '../cases/case-model.ts';

/**
 * What the citizen is told at each step of their case, in plain Chinese (English on request):
 * derived from the case's events, so every reply matches what really happened and none is lost.
 * Internal steps (reminders, supervision, automatic actions) are not the citizen's business.
 */
export interface CitizenReply {
  readonly at: string;
  readonly type: string;
  readonly text: string;
}

type Lang = 'zh' | 'en';

const fmt = (iso: string | null | undefined): string => {
  if (!iso) return '';
  const local = new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
};

const TEMPLATES: Partial<Record<CaseEvent['type'], (e: CaseEvent, d: CaseDoc, lang: Lang) => string>> = {
  CaseReported: (_e, d, l) => (l === 'zh' ? `您反映的“${d.title}”已收到，编号${d.number}。我们会尽快核实处理。` : `We received your report "${d.title}" (number ${d.number}) and will look into it.`),
  CaseRegistered: (e, d, l) => {
    const due = e.type === 'CaseRegistered' ? fmt(e.payload.resolveDue) : '';
    return l === 'zh' ? `您反映的问题（${d.number}）已受理立案，计划于${due}前办结。` : `Your case ${d.number} is registered; it is due to be resolved by ${due}.`;
  },
  CaseDeclined: (e, d, l) => {
    const reason = e.type === 'CaseDeclined' ? e.payload.reason : '';
    return l === 'zh' ? `您反映的问题（${d.number}）经核实不予立案，原因：${reason}。如有疑问请致电12345。` : `Your case ${d.number} was not registered: ${reason}. Call 12345 with any question.`;
  },
  CaseDispatched: (e, d, l) => {
    const units = e.type === 'CaseDispatched' ? e.payload.tasks.filter((t) => t.role === 'lead').map((t) => t.unitName).join('、') : '';
    return l === 'zh' ? `您反映的问题（${d.number}）已交${units}办理。` : `Your case ${d.number} has been given to ${units}.`;
  },
  CaseReportedBack: (e, d, l) => {
    const summary = e.type === 'CaseReportedBack' ? e.payload.summary : '';
    return l === 'zh' ? `您反映的问题（${d.number}）已处理：${summary}。我们将现场核查。` : `Your case ${d.number} has been handled: ${summary}. We will check on site.`;
  },
  CaseClosed: (_e, d, l) => (l === 'zh' ? `您反映的问题（${d.number}）已办结。请对办理结果进行评价：问题是否解决？您是否满意？` : `Your case ${d.number} is closed. Please tell us: was it solved, and are you satisfied?`),
  CaseReopened: (_e, d, l) => (l === 'zh' ? `您反映的问题（${d.number}）已重新办理，我们会尽快给您答复。` : `Your case ${d.number} has been reopened; we will get back to you soon.`),
  CaseEvaluated: (_e, d, l) => (l === 'zh' ? `感谢您对问题（${d.number}）办理结果的评价。` : `Thank you for rating the handling of case ${d.number}.`),
  CaseMerged: (e, _d, l) => {
    const into = e.type === 'CaseMerged' ? e.payload.intoNumber : '';
    return l === 'zh' ? `您反映的问题与事项${into}相同，已合并办理，办理进展将同步告知您。` : `Your report repeats case ${into}; they are handled together and you will hear how it goes.`;
  },
  CaseParked: (e, d, l) => {
    const at = e.type === 'CaseParked' ? fmt(e.payload.reviewAt) : '';
    return l === 'zh' ? `您反映的问题（${d.number}）暂时无法解决，已列入计划，将于${at}前复查。` : `Your case ${d.number} cannot be solved now; it is planned and will be reviewed by ${at}.`;
  },
};

export function citizenReplies(doc: CaseDoc, events: readonly CaseEvent[], lang: Lang = 'zh'): CitizenReply[] {
  const out: CitizenReply[] = [];
  for (const e of events) {
    const t = TEMPLATES[e.type];
    // A case dispatched again after a return or a reopen is one message, not one per dispatch.
    if (!t || (e.type === 'CaseDispatched' && out.some((r) => r.type === 'CaseDispatched') && out.at(-1)?.type !== 'CaseReopened')) continue;
    out.push({ at: e.at, type: e.type, text: t(e, doc, lang) });
  }
  return out;
}
