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
};

/** The "why" of an event: the reason, note or summary its payload carries. */
export function eventWhy(payload: Record<string, unknown>): string {
  const bits: string[] = [];
  for (const k of ['reason', 'note', 'summary', 'comment', 'message', 'fileName', 'why']) {
    const v = payload[k];
    if (typeof v === 'string' && v) bits.push(v);
  }
  const plan = payload.planId && typeof payload.name === 'string' ? payload.name : undefined;
  if (typeof plan === 'string') bits.push(plan);
  const tasks = payload.tasks as { unitName?: string; role?: string }[] | undefined;
  if (Array.isArray(tasks)) bits.push(tasks.map((t) => t.unitName).filter(Boolean).join('、'));
  if (typeof payload.satisfaction === 'string') bits.push(payload.satisfaction);
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

/** The name of any event of the feed, in the user's language; never its code. */
export function eventName(type: string, tr: (zh: string, en: string) => string): string {
  const n = EVENT_NAMES[type] ?? ALERT_EVENT_NAMES[type];
  return n ? tr(n[0], n[1]) : tr('其他事件', 'Other event');
}
