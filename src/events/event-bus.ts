import { EventEmitter } from 'node:events';
import type { CaseEvent } from '../cases/case-events.ts';
import type { CaseDoc } from '../cases/case-model.ts';
import type { AlertDoc, AlertEvent } from '../sensing/alerts/alert-model.ts';

/** What the live feed hears after a transaction commits: the events and the case as it now is. */
export interface Committed {
  readonly events: readonly CaseEvent[];
  readonly doc: CaseDoc;
}

/** An alert's committed events and the alert as it now is. */
export interface CommittedAlert {
  readonly events: readonly AlertEvent[];
  readonly alert: AlertDoc;
}

/**
 * In-process fan-out of committed events. Published only after commit, so a subscriber never sees
 * an event that was rolled back.
 */
export class EventBus {
  readonly #emitter = new EventEmitter();
  constructor() {
    this.#emitter.setMaxListeners(0);
  }
  publish(c: Committed): void {
    this.#emitter.emit('committed', c);
  }
  subscribe(fn: (c: Committed) => void): () => void {
    this.#emitter.on('committed', fn);
    return () => this.#emitter.off('committed', fn);
  }
  /** Alerts travel on their own channel: subscribers of cases need not tell the two apart. */
  publishAlert(c: CommittedAlert): void {
    this.#emitter.emit('alert', c);
  }
  subscribeAlerts(fn: (c: CommittedAlert) => void): () => void {
    this.#emitter.on('alert', fn);
    return () => this.#emitter.off('alert', fn);
  }
  get listenerCount(): number {
    return this.#emitter.listenerCount('committed');
  }
}
