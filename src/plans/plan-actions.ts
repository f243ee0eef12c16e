import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { CityLoopError } from '../errors.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../auth/principal.ts';
import type { CaseService } from '../cases/case-service.ts';
import type { CaseEventBody } from '../cases/case-events.ts';
import type { CaseDoc } from '../cases/case-model.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { DeviceCommandChannel } from '../actions/device-commands.ts';
import type { NotifierRegistry } from '../actions/notify.ts';
import type { ResolvedAction } from './plan-engine.ts';

type ActionRecord = Extract<CaseEventBody, { type: 'ActionRecorded' }>['payload'];
type DeviceAction = Extract<ResolvedAction, { type: 'device' }>;

/**
 * Carries out a plan's automatic steps after the case that ordered them is committed: device
 * commands (sent, acknowledged, retried by the channel) and notifications. Every outcome is written
 * to the case's log; a step that did not happen is marked for the operator's attention. When the
 * case closes, device steps with an undo are undone. Steps run outside the case's transaction
 * because a device may take seconds to answer; their results are separate events.
 */
export class PlanActionRunner {
  readonly #cases: CaseService;
  readonly #devices: () => DeviceCommandChannel | null;
  readonly #notifier: NotifierRegistry;
  readonly #clock: Clock;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #unsubscribe: () => void;

  constructor(deps: { cases: CaseService; bus: EventBus; devices: () => DeviceCommandChannel | null; notifier: NotifierRegistry; clock: Clock }) {
    this.#cases = deps.cases;
    this.#devices = deps.devices;
    this.#notifier = deps.notifier;
    this.#clock = deps.clock;
    this.#unsubscribe = deps.bus.subscribe(({ events, doc }) => {
      for (const e of events) {
        if (e.type === 'PlanApplied') this.#track(this.#runAll(doc, e.payload.actions as ResolvedAction[], 'apply'));
        if (e.type === 'CaseClosed' && doc.plan) this.#track(this.#undoAll(doc));
      }
    });
  }

  #track(p: Promise<unknown>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  /** Resolves when every step started so far has finished and been recorded (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  stop(): void {
    this.#unsubscribe();
  }

  async #runAll(doc: CaseDoc, actions: readonly ResolvedAction[], phase: 'apply' | 'override', by: Principal = SYSTEM_PRINCIPAL): Promise<void> {
    await Promise.all(
      actions.map(async (a) => {
        if (a.type === 'notify') {
          const r = await this.#notifier.send({ channel: a.channel, to: a.to, message: a.message, caseId: doc.id, key: `${doc.id}:${a.key}` });
          await this.#record(doc.id, { key: a.key, kind: 'notify', target: `${a.channel}:${a.to}`, phase, outcome: r.delivered ? 'delivered' : 'undelivered', attempts: 1, detail: r.detail, commandId: null, command: null }, by);
          return;
        }
        await Promise.all(a.deviceIds.map((deviceId) => this.#sendDevice(doc.id, a, deviceId, a.command, phase, by)));
      }),
    );
  }

  async #sendDevice(caseId: string, a: DeviceAction, deviceId: string, command: { name: string; params: Record<string, unknown> }, phase: 'apply' | 'undo' | 'override', by: Principal): Promise<boolean> {
    const channel = this.#devices();
    const commandId = newId();
    let record: ActionRecord;
    if (!channel) {
      record = { key: a.key, kind: 'device', target: deviceId, phase, outcome: 'failed', attempts: 0, detail: 'no device channel is configured (MQTT)', commandId, command: command.name };
    } else {
      try {
        const out = await channel.send({ commandId, deviceId, name: command.name, params: command.params, caseId, issuedAt: this.#clock.now().toISOString() }, { times: a.retry.times, everyMs: a.retry.everyMs });
        record = out.confirmed
          ? { key: a.key, kind: 'device', target: deviceId, phase, outcome: 'confirmed', attempts: out.attempts, detail: out.ack.detail, commandId, command: command.name }
          : { key: a.key, kind: 'device', target: deviceId, phase, outcome: 'failed', attempts: out.attempts, detail: out.reason + (out.ack?.detail ? `: ${out.ack.detail}` : ''), commandId, command: command.name };
      } catch (e) {
        record = { key: a.key, kind: 'device', target: deviceId, phase, outcome: 'failed', attempts: 0, detail: (e as Error).message, commandId, command: command.name };
      }
    }
    await this.#record(caseId, record, by);
    return record.outcome === 'confirmed';
  }

  async #undoAll(doc: CaseDoc): Promise<void> {
    const applied = await this.#appliedActions(doc.id);
    const confirmed = new Set((doc.automaticSteps ?? []).filter((x) => x.kind === 'device' && x.outcome === 'confirmed' && x.phase !== 'undo').map((x) => `${x.key}|${x.target}`));
    await Promise.all(
      applied
        .filter((a): a is DeviceAction => a.type === 'device' && a.undoOnClose !== null)
        .flatMap((a) => a.deviceIds.filter((d) => confirmed.has(`${a.key}|${d}`)).map((d) => this.#sendDevice(doc.id, a, d, a.undoOnClose!, 'undo', SYSTEM_PRINCIPAL))),
    );
  }

  async #appliedActions(caseId: string): Promise<ResolvedAction[]> {
    const events = await this.#cases.timeline(SYSTEM_PRINCIPAL, caseId);
    const applied = [...events].reverse().find((e) => e.type === 'PlanApplied');
    return applied && applied.type === 'PlanApplied' ? (applied.payload.actions as ResolvedAction[]) : [];
  }

  /**
   * An operator's override of one automatic step: `resend` the plan's command, or `undo` it (e.g.
   * the road is clear before the case closes). The operator's right to steer the case is checked
   * before anything is sent.
   */
  async override(p: Principal, caseId: string, key: string, what: 'resend' | 'undo'): Promise<CaseDoc> {
    const doc = await this.#cases.get(p, caseId);
    this.#cases.assertMay(p, doc, 'override_action');
    const action = (await this.#appliedActions(caseId)).find((a) => a.key === key);
    if (!action) throw new CityLoopError('NOT_FOUND', { what: 'plan action', id: key });
    if (action.type === 'notify') {
      await this.#runAll(doc, [action], 'override', p);
    } else {
      const command = what === 'undo' ? action.undoOnClose : action.command;
      if (!command) throw new CityLoopError('CASE_RULE_VIOLATED', { detail: `action ${key} has no undo command` });
      await Promise.all(action.deviceIds.map((d) => this.#sendDevice(caseId, action, d, command, 'override', p)));
    }
    return this.#cases.get(p, caseId);
  }

  async #record(caseId: string, record: ActionRecord, by: Principal): Promise<void> {
    const cmd = by === SYSTEM_PRINCIPAL ? ({ type: 'record_action', record } as const) : ({ type: 'override_action', record } as const);
    await this.#cases.execute(by, caseId, cmd);
  }
}
