/**
 * The alerts' effects after the commit, as outbox rows (issue 15, item 6): a trusted alert's
 * automatic verification (`alert_verify`: the case opens and its plan runs) and a case's sensor
 * back to normal (`sensor_normal`). Each row is written in the transaction that raised or cleared
 * the alert, so a crash between that commit and the effect loses nothing: the next pass — this
 * process at once, after a restart, or another node — carries it out.
 *
 * Exactly once: a sensor back to normal is recorded on the case in the transaction that marks its
 * row done (a second runner finds the row done and records nothing). A verification opens its case
 * under a request id derived from the alert and records the case on the alert, so a verification
 * repeated after a crash finds that case instead of opening another; the row is marked done after.
 */
import type { Clock } from '../../clock.ts';
import { isCityLoopError } from '../../errors.ts';
import type { StoreAdapter, Tx } from '../../store/store.ts';
import type { OutboxTable } from '../../store/schema.ts';
import { claimEffect, markEffectDone, writeEffects, OUTBOX_RENEW_MS, renewClaims, unclaimedEffects } from '../../store/outbox.ts';
import { failpoint } from '../../failpoints.ts';

export const ALERT_EFFECT_KINDS = ['alert_verify', 'sensor_normal'] as const;
export type AlertEffect =
  | { readonly kind: 'alert_verify'; readonly alertId: string }
  | { readonly kind: 'sensor_normal'; readonly caseId: string; readonly deviceId: string | null; readonly metric: string | null; readonly value: number | null };

const BATCH = 50;

/** Writes effects in the caller's transaction (the one that raised or cleared the alerts); returns their ids. */
export function writeAlertEffects(tx: Tx, effects: readonly AlertEffect[], at: string): Promise<string[]> {
  // The stream the effect acts on: the alert to verify, the case told its sensor is normal.
  return writeEffects(tx, effects.map((e) => ({ kind: e.kind, streamId: e.kind === 'alert_verify' ? e.alertId : e.caseId, payload: e })), at);
}

/** What carrying an effect out needs of the alert and case services. */
export interface AlertEffectHandlers {
  /** Verifies the alert as the platform (a second call finds the case the first opened). */
  verify(alertId: string): Promise<void>;
  /** Records the sensor back to normal on the case and marks the row done, in one transaction; false when done already. */
  sensorNormal(effectId: string, effect: Extract<AlertEffect, { kind: 'sensor_normal' }>): Promise<boolean>;
}

export class AlertEffectRunner {
  readonly #store: StoreAdapter;
  readonly #clock: Clock;
  readonly #handlers: AlertEffectHandlers;
  readonly #log: { warn(o: unknown, msg?: string): void } | undefined;
  #poll: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(deps: { store: StoreAdapter; clock: Clock; handlers: AlertEffectHandlers; log?: { warn(o: unknown, msg?: string): void } | undefined }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#handlers = deps.handlers;
    this.#log = deps.log;
  }

  /** Passes now (what a crash left pending) and every `pollMs` (another node's rows, holds run out). */
  start(pollMs: number): void {
    if (this.#poll) return;
    void this.pass();
    this.#poll = setInterval(() => void this.pass(), pollMs);
    this.#poll.unref();
  }

  stop(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
  }

  /**
   * Carries out the pending effects nobody holds, until none is left; one pass at a time (a call
   * during one runs another after it). Resolves when done: the caller that just committed effects
   * waits for them, as it waited for the steps before they were rows.
   */
  async pass(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          while ((await this.#once()) > 0);
        } while (this.#again);
      } catch (e) {
        this.#log?.warn({ err: (e as Error).message }, 'alert effects pass failed; it is tried again at the next one');
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async #once(): Promise<number> {
    const rows = await unclaimedEffects(this.#store.db, ALERT_EFFECT_KINDS, this.#clock.now(), BATCH);
    if (rows.length > 0) failpoint('alert-effects:after-commit');
    const claimed: OutboxTable[] = [];
    for (const row of rows) if (await claimEffect(this.#store.db, row, this.#clock.now())) claimed.push(row);
    if (claimed.length === 0) return 0;
    const renew = setInterval(() => void renewClaims(this.#store.db, claimed.map((r) => r.id), this.#clock.now()).catch(() => {}), OUTBOX_RENEW_MS);
    try {
      // One after another: a verification opens a case and runs its plan; the order they were decided in is kept.
      for (const row of claimed) await this.#carryOut(row);
    } finally {
      clearInterval(renew);
    }
    return claimed.length;
  }

  async #carryOut(row: OutboxTable): Promise<void> {
    const effect = JSON.parse(row.payload) as AlertEffect;
    try {
      if (effect.kind === 'alert_verify') {
        await this.#handlers.verify(effect.alertId);
        failpoint('alert-effects:before-record');
        await this.#store.transact((tx) => markEffectDone(tx, row.id, this.#clock.now().toISOString()));
      } else {
        await this.#handlers.sensorNormal(row.id, effect);
      }
    } catch (e) {
      if (isCityLoopError(e)) {
        // Refused for good (the alert was dismissed meanwhile, the case closed): nothing to retry.
        this.#log?.warn({ effect: row.id, kind: effect.kind, code: e.code, err: e.message }, 'an alert effect was refused; it is not tried again');
        await this.#store.transact((tx) => markEffectDone(tx, row.id, this.#clock.now().toISOString()));
        return;
      }
      // The store or a bug: the row stays pending and is tried again once its hold runs out.
      this.#log?.warn({ effect: row.id, kind: effect.kind, err: (e as Error).message }, 'an alert effect failed; it is tried again once its hold runs out');
    }
  }
}
