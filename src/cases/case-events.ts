import type { CaseLocation, CaseSource, ChainLink, PlanClosureRule, PlanEscalationStep, PlanTaskInfo, TaskEvidence, Priority, Reporter, Satisfaction, SiteContact, TaskRole, Tier } from './case-model.ts';

/**
 * The events of a case stream. Stored events are a contract: a payload shape never changes
 * under the same type and schema version; a new shape gets a new version and an upcaster.
 */
export interface DispatchedTask {
  readonly taskId: string;
  readonly unitId: string;
  readonly unitName: string;
  readonly role: TaskRole;
  readonly respondDue: string;
  readonly deadline: string;
  readonly plan?: PlanTaskInfo | undefined;
}

export type CaseEventBody =
  | {
      type: 'CaseReported';
      payload: {
        number: string;
        source: CaseSource;
        categoryCode: string;
        priority: Priority;
        title: string;
        description: string;
        location: CaseLocation;
        chain: ChainLink[];
        centerId: string;
        tier: Tier;
        reporter: Reporter;
        externalRef: string | null;
        /** 现场联系人 for the crews; absent when the report gave none (and in events written before it existed). */
        siteContact?: SiteContact;
      };
    }
  | { type: 'CaseRegistered'; payload: { respondDue: string; resolveDue: string; note: string | null } }
  | { type: 'CaseDeclined'; payload: { reason: string } }
  | { type: 'CaseDispatched'; payload: { round: number; tasks: DispatchedTask[]; note: string | null } }
  | { type: 'TaskAccepted'; payload: { taskId: string } }
  | { type: 'TaskStarted'; payload: { taskId: string } }
  /** 到场: the crew is on site (who: the actor; when: `arrivedAt`, the device's time; where: the position). */
  | { type: 'TaskArrived'; payload: { taskId: string; arrivedAt: string; lng: number; lat: number; accuracyM: number | null; distanceM: number; arriveBy: string | null; late: boolean } }
  /** The plan's arrival deadline passed and the crew had not arrived. */
  | { type: 'TaskArrivalOverdue'; payload: { taskId: string; arriveBy: string } }
  | { type: 'TaskCompleted'; payload: { taskId: string; note: string; evidence?: TaskEvidence | null } }
  /** 清点: the unit's current count of the people the task accounts for, or the center's override of it. */
  | { type: 'TaskTallied'; payload: { taskId: string; moved: number; staying: number; missing: number; note: string | null; override: string | null } }
  | { type: 'TaskReturned'; payload: { taskId: string; reason: string } }
  | { type: 'CaseReportedBack'; payload: { summary: string } }
  | { type: 'CaseChecked'; payload: { note: string | null } }
  | { type: 'CaseReopened'; payload: { cause: 'check_failed' | 'unsatisfied' | 'other'; reason: string } }
  | { type: 'CaseClosed'; payload: { note: string | null } }
  | {
      type: 'CaseEvaluated';
      payload: {
        satisfaction: Satisfaction;
        comment: string | null;
        by: 'reporter' | 'follow_up';
        /** 回访 asks two things apart: was it solved, and is the reporter satisfied. */
        solved?: boolean | null;
        reason?: string | null;
      };
    }
  | { type: 'CaseEscalated'; payload: { fromCenterId: string; toCenterId: string; toTier: Tier; reason: string } }
  | { type: 'CaseParked'; payload: { reason: string; reviewAt: string } }
  | { type: 'CaseUnparked'; payload: { note: string | null } }
  | { type: 'CaseParkReviewDue'; payload: { reviewAt: string } }
  | { type: 'TaskReminded'; payload: { taskId: string; reason: string; automatic: boolean } }
  | { type: 'TaskOverdue'; payload: { taskId: string; deadline: string } }
  | { type: 'CaseOverdue'; payload: { kind: 'respond' | 'resolve'; due: string } }
  | { type: 'CaseSupervised'; payload: { centerId: string; reason: string; automatic: boolean; taskId: string | null } }
  | {
      type: 'PlanApplied';
      payload: {
        planId: string;
        version: number;
        name: string;
        tier: Tier;
        centerId: string;
        facts: Record<string, unknown>;
        actions: unknown[];
        escalation?: PlanEscalationStep[];
        closure?: PlanClosureRule;
        coCenterIds?: string[];
      };
    }
  | {
      type: 'ActionRecorded';
      payload: {
        key: string;
        kind: 'device' | 'notify';
        /** A device id, or the notification's channel:recipient. */
        target: string;
        phase: 'apply' | 'undo' | 'override';
        outcome: 'confirmed' | 'failed' | 'delivered' | 'undelivered';
        attempts: number;
        detail: string | null;
        commandId: string | null;
        command: string | null;
      };
    }
  | {
      type: 'SensorStateChanged';
      payload: { deviceId: string | null; state: 'abnormal' | 'normal'; reading: { name: string; value: number; unit: string } | null };
    }
  | {
      type: 'AppealRouted';
      payload: {
        automatic: boolean;
        categoryCode: string;
        confidence: number | null;
        top: { categoryCode: string; confidence: number }[];
        routingVersion: number | null;
        rule: string | null;
        why: string;
        /** triage: sent to the manual queue instead of a unit (low confidence, no rule, no unit). */
        outcome: 'dispatched' | 'triage';
        /**
         * The danger words in the message and the priority they raised the case to (the report
         * carries it); absent in events written before danger words were read.
         */
        danger?: { priority: 'high' | 'urgent'; words: string[]; why: string } | null;
      };
    }
  | { type: 'JointCaseOpened'; payload: { centerIds: string[]; districts: { code: string; name: string }[]; reason: string } }
  | { type: 'JointCaseAccepted'; payload: { centerId: string } }
  | { type: 'CaseMerged'; payload: { intoCaseId: string; intoNumber: string; reason: string } }
  | { type: 'SupporterAdded'; payload: { caseId: string; number: string; reporterUserId: string | null } }
  | {
      type: 'CoordinationAgreed';
      payload: { handledByUnitId: string; handledByName: string; maintainedByUnitId: string; maintainedByName: string; note: string };
    }
  | { type: 'AttachmentAdded'; payload: { attachmentId: string; sha256: string; fileName: string; mediaType: string; size: number } };

export type CaseEventType = CaseEventBody['type'];

export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly string[];
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: '系统', roles: ['system'] };

/** An event as stored in the log. */
export type CaseEvent = CaseEventBody & {
  readonly seq: number;
  readonly id: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly schemaVersion: number;
  readonly actor: Actor;
  readonly at: string;
};

export const CASE_EVENT_TYPES: readonly CaseEventType[] = [
  'CaseReported', 'CaseRegistered', 'CaseDeclined', 'CaseDispatched', 'TaskAccepted', 'TaskStarted', 'TaskArrived', 'TaskArrivalOverdue',
  'TaskCompleted', 'TaskReturned', 'CaseReportedBack', 'CaseChecked', 'CaseReopened', 'CaseClosed',
  'CaseEvaluated', 'CaseEscalated', 'CaseParked', 'CaseUnparked', 'CaseParkReviewDue', 'TaskReminded',
  'TaskOverdue', 'CaseOverdue', 'CaseSupervised', 'PlanApplied', 'ActionRecorded', 'SensorStateChanged', 'AppealRouted', 'JointCaseOpened', 'JointCaseAccepted', 'CaseMerged', 'SupporterAdded', 'CoordinationAgreed', 'AttachmentAdded',
  'TaskTallied',
];
