import type { CaseEvent } from './case-events.ts';
import type { CaseDoc, TaskDoc } from './case-model.ts';

/**
 * apply(state, event): the one place that says what an event does to a case. Pure; used both to
 * update the projection in the writing transaction and to rebuild it from the log.
 */
export function evolveCase(doc: CaseDoc | null, e: CaseEvent): CaseDoc {
  if (e.type === 'CaseReported') {
    const p = e.payload;
    return {
      id: e.streamId,
      number: p.number,
      state: 'reported',
      stateBeforePark: null,
      source: p.source,
      categoryCode: p.categoryCode,
      priority: p.priority,
      title: p.title,
      description: p.description,
      location: p.location,
      chain: p.chain,
      centerId: p.centerId,
      tier: p.tier,
      supervisedBy: [],
      reporter: p.reporter,
      ...(p.siteContact ? { siteContact: p.siteContact } : {}),
      externalRef: p.externalRef,
      tasks: [],
      round: 1,
      registeredAt: null,
      respondDue: null,
      resolveDue: null,
      respondedAt: null,
      reportedBackAt: null,
      closedAt: null,
      parkedUntil: null,
      declineReason: null,
      summary: null,
      evaluation: null,
      attachments: [],
      overdue: false,
      createdAt: e.at,
      updatedAt: e.at,
      version: e.streamVersion,
    };
  }
  if (!doc) throw new Error(`event ${e.type} (${e.id}) has no case to apply to: the stream must start with CaseReported`);
  const d: CaseDoc = { ...doc, tasks: doc.tasks.map((t) => ({ ...t })), supervisedBy: [...doc.supervisedBy], attachments: [...doc.attachments], ...(doc.automaticSteps ? { automaticSteps: [...doc.automaticSteps] } : {}) };
  d.updatedAt = e.at;
  d.version = e.streamVersion;
  const task = (id: string): TaskDoc => {
    const t = d.tasks.find((x) => x.id === id);
    if (!t) throw new Error(`event ${e.type} (${e.id}) names unknown task ${id}`);
    return t;
  };
  switch (e.type) {
    case 'CaseRegistered':
      d.state = 'registered';
      d.registeredAt = e.at;
      d.respondDue = e.payload.respondDue;
      d.resolveDue = e.payload.resolveDue;
      break;
    case 'CaseDeclined':
      d.state = 'declined';
      d.declineReason = e.payload.reason;
      d.closedAt = e.at;
      break;
    case 'CaseDispatched':
      d.round = e.payload.round;
      for (const t of e.payload.tasks) {
        d.tasks.push({
          id: t.taskId,
          unitId: t.unitId,
          unitName: t.unitName,
          role: t.role,
          round: e.payload.round,
          state: 'dispatched',
          dispatchedAt: e.at,
          respondDue: t.respondDue,
          deadline: t.deadline,
          acceptedAt: null,
          startedAt: null,
          doneAt: null,
          note: null,
          returnReason: null,
          overdue: false,
          reminders: 0,
          ...(t.plan ? { plan: t.plan } : {}),
        });
      }
      if (d.state !== 'in_progress') d.state = 'dispatched';
      break;
    case 'TaskAccepted': {
      const t = task(e.payload.taskId);
      t.state = 'accepted';
      t.acceptedAt = e.at;
      d.respondedAt ??= e.at;
      if (d.state === 'dispatched') d.state = 'in_progress';
      break;
    }
    case 'TaskStarted': {
      const t = task(e.payload.taskId);
      t.state = 'in_progress';
      t.startedAt = e.at;
      if (d.state === 'dispatched') d.state = 'in_progress';
      break;
    }
    case 'TaskArrived': {
      const { taskId, arrivedAt, lng, lat, accuracyM, distanceM, arriveBy, late } = e.payload;
      task(taskId).arrival = { at: arrivedAt, lng, lat, accuracyM, distanceM, arriveBy, late };
      break;
    }
    case 'TaskArrivalOverdue':
      task(e.payload.taskId).arrivalOverdue = true;
      break;
    case 'TaskTallied': {
      const { moved, staying, missing, note, override } = e.payload;
      task(e.payload.taskId).tally = { moved, staying, missing, note, override, at: e.at };
      break;
    }
    case 'TaskCompleted': {
      const t = task(e.payload.taskId);
      t.state = 'done';
      t.doneAt = e.at;
      t.note = e.payload.note;
      if (e.payload.evidence) t.evidence = e.payload.evidence;
      break;
    }
    case 'TaskReturned': {
      const t = task(e.payload.taskId);
      t.state = 'returned';
      t.returnReason = e.payload.reason;
      if (t.role === 'lead') d.state = 'returned';
      break;
    }
    case 'CaseReportedBack':
      d.state = 'reported_back';
      d.summary = e.payload.summary;
      d.reportedBackAt = e.at;
      break;
    case 'CaseChecked':
      d.state = 'checked';
      break;
    case 'CaseReopened':
      d.state = 'reopened';
      d.closedAt = null;
      d.reportedBackAt = null;
      d.round = d.round + 1;
      // Work of the failed round that was still open is void: the center dispatches anew.
      for (const t of d.tasks) if (t.state === 'dispatched' || t.state === 'accepted' || t.state === 'in_progress') t.state = 'cancelled';
      break;
    case 'CaseClosed':
      d.state = 'closed';
      d.closedAt = e.at;
      break;
    case 'CaseEvaluated':
      d.evaluation = { satisfaction: e.payload.satisfaction, comment: e.payload.comment, at: e.at, solved: e.payload.solved ?? null, reason: e.payload.reason ?? null };
      if (d.state === 'closed') d.state = 'evaluated';
      break;
    case 'CaseEscalated':
      d.centerId = e.payload.toCenterId;
      d.tier = e.payload.toTier;
      break;
    case 'CaseParked':
      d.stateBeforePark = d.state;
      d.state = 'parked';
      d.parkedUntil = e.payload.reviewAt;
      break;
    case 'CaseUnparked':
      d.state = d.stateBeforePark ?? 'registered';
      d.stateBeforePark = null;
      d.parkedUntil = null;
      break;
    case 'CaseParkReviewDue':
      break;
    case 'TaskReminded':
      task(e.payload.taskId).reminders += 1;
      break;
    case 'TaskOverdue':
      task(e.payload.taskId).overdue = true;
      d.overdue = true;
      break;
    case 'CaseOverdue':
      d.overdue = true;
      break;
    case 'CaseSupervised':
      if (!d.supervisedBy.includes(e.payload.centerId)) d.supervisedBy.push(e.payload.centerId);
      break;
    case 'PlanApplied':
      d.plan = {
        id: e.payload.planId,
        version: e.payload.version,
        name: e.payload.name,
        tier: e.payload.tier,
        appliedAt: e.at,
        ...(e.payload.closure ? { closure: e.payload.closure } : {}),
      };
      d.centerId = e.payload.centerId;
      d.tier = e.payload.tier;
      if (e.payload.coCenterIds && e.payload.coCenterIds.length > 0) d.coordination = { centerIds: e.payload.coCenterIds, agreement: null };
      break;
    case 'ActionRecorded': {
      const a = e.payload;
      const others = (d.automaticSteps ?? []).filter((x) => !(x.key === a.key && x.target === a.target));
      const failed = a.outcome === 'failed' || a.outcome === 'undelivered';
      others.push({ key: a.key, kind: a.kind, target: a.target, phase: a.phase, outcome: a.outcome, command: a.command, at: e.at, needsAttention: failed });
      d.automaticSteps = others;
      break;
    }
    case 'SensorStateChanged':
      // "since" moves only when the state changes: repeated normal readings keep the clock running.
      d.sensor = {
        deviceId: e.payload.deviceId,
        state: e.payload.state,
        since: d.sensor && d.sensor.state === e.payload.state ? d.sensor.since : e.at,
        reading: e.payload.reading,
      };
      break;
    case 'AppealRouted':
      d.routing = { automatic: e.payload.automatic, outcome: e.payload.outcome, why: e.payload.why, confidence: e.payload.confidence, ...(e.payload.danger ? { danger: e.payload.danger.why } : {}) };
      break;
    case 'CaseMerged':
      d.state = 'merged';
      d.mergedInto = { id: e.payload.intoCaseId, number: e.payload.intoNumber };
      d.closedAt = e.at;
      break;
    case 'SupporterAdded':
      d.supporters = [...(d.supporters ?? []), { caseId: e.payload.caseId, number: e.payload.number, reporterUserId: e.payload.reporterUserId, at: e.at }];
      break;
    case 'CoordinationAgreed':
      d.coordination = { ...d.coordination, centerIds: d.coordination?.centerIds ?? [], agreement: { ...e.payload, at: e.at } };
      break;
    case 'JointCaseOpened':
      d.coordination = { centerIds: e.payload.centerIds, agreement: null, accepted: [] };
      break;
    case 'JointCaseAccepted':
      d.coordination = { ...d.coordination, centerIds: d.coordination?.centerIds ?? [], agreement: d.coordination?.agreement ?? null, accepted: [...new Set([...(d.coordination?.accepted ?? []), e.payload.centerId])] };
      break;
    case 'AttachmentAdded':
      d.attachments.push({
        id: e.payload.attachmentId,
        sha256: e.payload.sha256,
        fileName: e.payload.fileName,
        mediaType: e.payload.mediaType,
        size: e.payload.size,
      });
      break;
    default: {
      const never: never = e;
      throw new Error(`unknown case event ${(never as { type: string }).type}`);
    }
  }
  return d;
}

export function replayCase(events: readonly CaseEvent[]): CaseDoc | null {
  let doc: CaseDoc | null = null;
  for (const e of events) doc = evolveCase(doc, e);
  return doc;
}
