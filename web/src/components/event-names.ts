/** Names of the case events, as the timeline shows them. */
export const EVENT_NAMES: Record<string, [string, string]> = {
  CaseReported: ['上报', 'Reported'],
  CaseRegistered: ['立案', 'Registered'],
  CaseDeclined: ['不予立案', 'Declined'],
  CaseDispatched: ['派遣', 'Dispatched'],
  TaskAccepted: ['签收', 'Task accepted'],
  TaskStarted: ['开始处置', 'Work started'],
  TaskArrived: ['到场', 'Arrived on site'],
  TaskArrivalOverdue: ['到场超时', 'Arrival overdue'],
  TaskCompleted: ['办结', 'Task done'],
  TaskReturned: ['退回', 'Task returned'],
  CaseReportedBack: ['反馈', 'Reported back'],
  CaseChecked: ['核查', 'Checked'],
  CaseReopened: ['重新办理', 'Reopened'],
  CaseClosed: ['结案', 'Closed'],
  CaseEvaluated: ['评价', 'Evaluated'],
  CaseEscalated: ['上报上级', 'Escalated'],
  CaseParked: ['挂账', 'Parked'],
  CaseUnparked: ['解除挂账', 'Unparked'],
  CaseParkReviewDue: ['挂账到期复查', 'Park review due'],
  TaskReminded: ['催办', 'Reminded'],
  TaskOverdue: ['任务超期', 'Task overdue'],
  CaseOverdue: ['案件超期', 'Case overdue'],
  CaseSupervised: ['督办', 'Supervised'],
  PlanApplied: ['启动预案', 'Plan applied'],
  ActionRecorded: ['自动动作', 'Automatic step'],
  SensorStateChanged: ['传感器状态', 'Sensor state'],
  AppealRouted: ['智能分拨', 'Routed'],
  JointCaseOpened: ['跨区协同', 'Joint case opened'],
  JointCaseAccepted: ['协同受理', 'Joint case accepted'],
  CaseMerged: ['合并', 'Merged'],
  SupporterAdded: ['附议', 'Supporter added'],
  CoordinationAgreed: ['协同议定', 'Coordination agreed'],
  AttachmentAdded: ['附件', 'Attachment'],
  TaskTallied: ['清点人数', 'People counted'],
};

type Tr = (zh: string, en: string) => string;
const SATISFACTION: Record<string, [string, string]> = { satisfied: ['满意', 'satisfied'], basically_satisfied: ['基本满意', 'basically satisfied'], unsatisfied: ['不满意', 'unsatisfied'] };
const UNSATISFIED_REASONS: Record<string, [string, string]> = {
  not_solved: ['问题未解决', 'not solved'],
  solved_badly: ['解决不到位', 'solved badly'],
  recurred: ['问题反复', 'came back'],
  slow: ['办理太慢', 'too slow'],
  attitude: ['态度不好', 'attitude'],
  beyond_policy: ['诉求超出政策范围', 'beyond policy'],
  other: ['其他', 'other'],
};
const SENSOR_STATES: Record<string, [string, string]> = { abnormal: ['异常', 'abnormal'], normal: ['恢复正常', 'back to normal'] };
const ACTION_OUTCOMES: Record<string, [string, string]> = { confirmed: ['已确认', 'confirmed'], failed: ['失败', 'failed'], delivered: ['已送达', 'delivered'], undelivered: ['未送达', 'not delivered'] };
const named = (t: Record<string, [string, string]>, v: unknown, tr: Tr): string | null => (typeof v === 'string' && t[v] ? tr(t[v][0], t[v][1]) : null);
/** Free text a person wrote, or a code (`not_solved`, `a.b.c`) that a page must not show. */
const isCode = (v: string) => /^[a-z0-9]+([._-][a-z0-9]+)+$/.test(v) || /^[a-z]+$/.test(v);

/**
 * A note the system wrote before routing notes named things may hold a rule's codes ("派单目录：
 * appeal.urban-rural → housing-construction；分类置信度0.86"): in such old notes the parts that carry a
 * code are left out (the rule is in the routing dry run). New notes name categories and units.
 */
function withoutCodes(note: string): string {
  if (!/[a-z][a-z0-9]*[.-][a-z]/.test(note)) return note;
  return note
    .split(/[；;]/)
    .filter((part) => !/[a-z][a-z0-9]*[.-][a-z]/.test(part))
    .join('；');
}

/** The "why" of an event: the reason, note or summary its payload carries, and its names for codes. */
export function eventWhy(type: string, payload: Record<string, unknown>, tr: Tr): string {
  const bits: string[] = [];
  if (type === 'AppealRouted') {
    const conf = typeof payload.confidence === 'number' ? ` ${Math.round(payload.confidence * 100)}%` : '';
    return payload.outcome === 'dispatched' ? tr(`自动派遣${conf}`, `dispatched automatically${conf}`) : tr('转人工分拨', 'sent to manual triage');
  }
  if (type === 'ActionRecorded') {
    const kind = payload.kind === 'notify' ? tr('通知', 'notification') : tr('设备指令', 'device command');
    return [kind, named(ACTION_OUTCOMES, payload.outcome, tr)].filter(Boolean).join(' · ');
  }
  if (type === 'SensorStateChanged') return named(SENSOR_STATES, payload.state, tr) ?? '';
  if (type === 'TaskTallied') {
    const counts = tr(`已转移 ${String(payload.moved)} · 就地避险 ${String(payload.staying)} · 失联 ${String(payload.missing)}`, `moved ${String(payload.moved)} · staying ${String(payload.staying)} · missing ${String(payload.missing)}`);
    return typeof payload.override === 'string' ? `${counts} · ${tr('中心确认', 'accepted by the center')}：${payload.override}` : counts;
  }
  for (const k of ['reason', 'note', 'summary', 'comment', 'message', 'fileName']) {
    const v = payload[k];
    if (typeof v !== 'string' || !v) continue;
    if (k === 'reason' && UNSATISFIED_REASONS[v]) bits.push(named(UNSATISFIED_REASONS, v, tr) ?? '');
    else if (!isCode(v)) bits.push(withoutCodes(v));
  }
  const plan = payload.planId && typeof payload.name === 'string' ? payload.name : undefined;
  if (typeof plan === 'string') bits.push(plan);
  const tasks = payload.tasks as { unitName?: string; role?: string }[] | undefined;
  if (Array.isArray(tasks)) bits.push(tasks.map((t) => t.unitName).filter(Boolean).join('、'));
  const satisfaction = named(SATISFACTION, payload.satisfaction, tr);
  if (satisfaction) bits.push(satisfaction);
  if (typeof payload.passed === 'boolean') bits.push(payload.passed ? '✓' : '✗');
  return bits.join(' · ');
}

/** Names of the alert events, as the live list and the handover show them. */
export const ALERT_EVENT_NAMES: Record<string, [string, string]> = {
  AlertRaised: ['新预警', 'Alert raised'],
  AlertUpdated: ['预警更新', 'Alert updated'],
  AlertAcknowledged: ['预警已接警', 'Alert acknowledged'],
  AlertVerified: ['预警已核实', 'Alert verified'],
  AlertWatched: ['单位关注预警', 'Unit watches alert'],
  AlertDismissed: ['预警已排除', 'Alert dismissed'],
  AlertCleared: ['预警解除', 'Alert cleared'],
};

/** Names of an analysis run's events (src/analyses: the `analysis:ID` stream). */
export const ANALYSIS_EVENT_NAMES: Record<string, [string, string]> = {
  AnalysisQueued: ['模型计算已提交', 'Analysis queued'],
  AnalysisRequeued: ['模型计算重新排队', 'Analysis queued again'],
  AnalysisStarted: ['模型计算开始', 'Analysis started'],
  AnalysisProgress: ['模型计算进度', 'Analysis progress'],
  AnalysisSucceeded: ['模型计算完成', 'Analysis done'],
  AnalysisFailed: ['模型计算失败', 'Analysis failed'],
  AnalysisCancelled: ['模型计算已取消', 'Analysis cancelled'],
};

/** The name of any event of the feed, in the user's language; never its code. */
export function eventName(type: string, tr: (zh: string, en: string) => string): string {
  const n = EVENT_NAMES[type] ?? ALERT_EVENT_NAMES[type] ?? ANALYSIS_EVENT_NAMES[type];
  return n ? tr(n[0], n[1]) : tr('其他事件', 'Other event');
}
