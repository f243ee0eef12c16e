import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { CityLoopError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseService } from '../cases/case-service.ts';
import type { CaseEventBody } from '../cases/case-events.ts';
import type { CaseDoc } from '../cases/case-model.ts';
import type { CaseBus } from '../cases/committed.ts';
import type { DeviceCommandChannel } from '../actions/device-commands.ts';
import type { NotifierRegistry } from '../actions/notify.ts';
import type { ResolvedAction } from './plan-engine.ts';
import type { PlanEffect } from './plan-effects.ts';
import type { StoreAdapter } from '../store/store.ts';
import type { OutboxTable } from '../store/schema.ts';
import { failpoint } from '../failpoints.ts';
import { claimEffect, OUTBOX_RENEW_MS, renewClaims, unclaimedEffects } from '../store/outbox.ts';

type ActionRecord = Extract<CaseEventBody, { type: 'ActionRecorded' }>['payload'];
type DeviceAction = Extract<ResolvedAction, { type: 'device' }>;

/** Effects claimed at once by one pass of the runner. */
const BATCH = 50;
/** The outbox kinds this runner carries out (the alerts' own are alert-effects.ts's). */
const PLAN_EFFECT_KINDS = ['notify', 'device_command'] as const;

/**
 * Carries out a plan's automatic steps from the outbox (see `plan-effects.ts`): device commands
 * (sent, acknowledged, retried by the channel) and notifications, applied when the plan was and
 * undone when the case closes. Each effect was written in the transaction that decided it; the
 * runner claims it for a lease, carries it out, and records its outcome as an event of the case in
 * the transaction that marks it done. A crash before the effect leaves it pending, and the next
 * runner (this process after a restart, or another node) carries it out; a crash after sending and
 * before recording sends the same command again under the same id, which the device recognises.
 * Steps run outside the case's transaction because a device may take seconds to answer.
 */
export class PlanActionRunner {
  readonly #cases: CaseService;
  readonly #store: StoreAdapter;
  readonly #devices: () => DeviceCommandChannel | null;
  readonly #notifier: NotifierRegistry;
  readonly #clock: Clock;
  readonly #log: { warn(o: unknown, msg?: string): void } | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #unsubscribe: () => void;
  #draining = false;
  #again = false;
  #poll: NodeJS.Timeout | null = null;

  constructor(deps: { cases: CaseService; store: StoreAdapter; bus: CaseBus; devices: () => DeviceCommandChannel | null; notifier: NotifierRegistry; clock: Clock; log?: { warn(o: unknown, msg?: string): void } }) {
    this.#cases = deps.cases;
    this.#store = deps.store;
    this.#devices = deps.devices;
    this.#notifier = deps.notifier;
    this.#clock = deps.clock;
    this.#log = deps.log;
    // A commit that wrote effects is followed at once by a pass (this process's own commits).
    this.#unsubscribe = deps.bus.subscribe(({ events }) => {
      if (events.some((e) => e.type === 'PlanApplied' || e.type === 'CaseClosed')) this.kick();
    });
  }

  /**
   * Starts the passes that do not wait for a commit of this process: now (what a crash left
   * pending) and every `pollMs` (effects written by another node, leases that ran out).
   */
  start(pollMs: number): void {
    if (this.#poll) return;
    this.kick();
    this.#poll = setInterval(() => this.kick(), pollMs);
    this.#poll.unref();
  }

  /** Asks for a pass over the pending effects (one at a time; a request during one runs another after it). */
  kick(): void {
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = true;
    this.#track(
      (async () => {
        try {
          do {
            this.#again = false;
            while ((await this.#pass()) > 0);
          } while (this.#again);
        } catch (e) {
          this.#log?.warn({ err: (e as Error).message }, 'outbox pass failed; it is tried again at the next one');
        } finally {
          this.#draining = false;
        }
      })(),
    );
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
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
  }

  /** One pass: claims the pending plan effects that nobody holds and carries them out together. */
  async #pass(): Promise<number> {
    const rows = await unclaimedEffects(this.#store.db, PLAN_EFFECT_KINDS, this.#clock.now(), BATCH);
    if (rows.length > 0) failpoint('outbox:after-commit');
    const claimed: OutboxTable[] = [];
    for (const row of rows) if (await claimEffect(this.#store.db, row, this.#clock.now())) claimed.push(row);
    if (claimed.length === 0) return 0;
    failpoint('outbox:before-effect');
    const renew = setInterval(() => void renewClaims(this.#store.db, claimed.map((r) => r.id), this.#clock.now()).catch(() => {}), OUTBOX_RENEW_MS);
    try {
      await Promise.all(claimed.map((row) => this.#carryOut(row)));
    } finally {
      clearInterval(renew);
    }
    return claimed.length;
  }

  async #carryOut(row: OutboxTable): Promise<void> {
    const effect = JSON.parse(row.payload) as PlanEffect;
    let record: ActionRecord;
    if (effect.kind === 'notify') {
      const a = effect.action;
      const r = await this.#notifier.send({ channel: a.channel, to: a.to, message: a.message, caseId: row.stream_id, key: `${row.stream_id}:${a.key}` });
      record = { key: a.key, kind: 'notify', target: `${a.channel}:${a.to}`, phase: effect.phase, outcome: r.delivered ? 'delivered' : 'undelivered', attempts: 1, detail: r.detail, commandId: null, command: null };
    } else {
      // The effect's id is the command's: resent after a crash, the device knows it for the same one.
      record = await this.#sendDevice(row.stream_id, effect.action, effect.deviceId, effect.command, effect.phase, row.id);
    }
    if (effect.kind === 'device_command') failpoint('outbox:before-record');
    try {
      await this.#cases.recordEffect(row.id, row.stream_id, record);
    } catch (e) {
      this.#log?.warn({ effect: row.id, caseId: row.stream_id, err: (e as Error).message }, 'the outcome of an automatic step could not be recorded; the step is carried out again once its hold runs out');
    }
  }

  async #sendDevice(caseId: string, a: DeviceAction, deviceId: string, command: { name: string; params: Record<string, unknown> }, phase: 'apply' | 'undo' | 'override', commandId: string): Promise<ActionRecord> {
    const channel = this.#devices();
    if (!channel) return { key: a.key, kind: 'device', target: deviceId, phase, outcome: 'failed', attempts: 0, detail: 'no device channel is configured (MQTT)', commandId, command: command.name };
    try {
      const out = await channel.send({ commandId, deviceId, name: command.name, params: command.params, caseId, issuedAt: this.#clock.now().toISOString() }, { times: a.retry.times, everyMs: a.retry.everyMs });
      return out.confirmed
        ? { key: a.key, kind: 'device', target: deviceId, phase, outcome: 'confirmed', attempts: out.attempts, detail: out.ack.detail, commandId, command: command.name }
        : { key: a.key, kind: 'device', target: deviceId, phase, outcome: 'failed', attempts: out.attempts, detail: out.reason + (out.ack?.detail ? `: ${out.ack.detail}` : ''), commandId, command: command.name };
    } catch (e) {
      return { key: a.key, kind: 'device', target: deviceId, phase, outcome: 'failed', attempts: 0, detail: (e as Error).message, commandId, command: command.name };
    }
  }

  /**
   * An operator's override of one automatic step: `resend` the plan's command, or `undo` it (e.g.
   * the road is clear before the case closes). The operator's right to steer the case is checked
   * before anything is sent.
   */
  async override(p: Principal, caseId: string, key: string, what: 'resend' | 'undo'): Promise<CaseDoc> {
    const doc = await this.#cases.get(p, caseId);
    this.#cases.assertMay(p, doc, 'override_action');
    const action = ((await this.#cases.appliedActions(caseId)) as ResolvedAction[]).find((a) => a.key === key);
    if (!action) throw new CityLoopError('NOT_FOUND', { what: 'plan action', id: key });
    const records: ActionRecord[] = [];
    if (action.type === 'notify') {
      const r = await this.#notifier.send({ channel: action.channel, to: action.to, message: action.message, caseId, key: `${caseId}:${action.key}` });
      records.push({ key: action.key, kind: 'notify', target: `${action.channel}:${action.to}`, phase: 'override', outcome: r.delivered ? 'delivered' : 'undelivered', attempts: 1, detail: r.detail, commandId: null, command: null });
    } else {
      const command = what === 'undo' ? action.undoOnClose : action.command;
      if (!command) throw new CityLoopError('CASE_RULE_VIOLATED', { detail: `action ${key} has no undo command`, detailZh: `自动动作 ${key} 没有撤销命令` });
      records.push(...(await Promise.all(action.deviceIds.map((d) => this.#sendDevice(caseId, action, d, command, 'override', newId())))));
    }
    // The operator asked and waits for the answer: the outcome is recorded as theirs.
    for (const record of records) await this.#cases.execute(p, caseId, { type: 'override_action', record });
    return this.#cases.get(p, caseId);
  }
}
