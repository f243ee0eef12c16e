import { EventEmitter } from 'node:events';

/**
 * In-process fan-out of committed events. Published only after commit, so a subscriber never sees
 * an event that was rolled back. Generic over what it carries — the cases' commits and the alerts'
 * — because the log sits below the domains that define them (docs/ARCHITECTURE.md, "Layers"):
 * cases publish `Committed` (cases/committed.ts), sensing `CommittedAlert`, analyses
 * `CommittedAnalysis` (their state changes, and progress, which is not logged).
 */
export class EventBus<Case, Alert, Analysis = unknown> {
  readonly #emitter = new EventEmitter();
  constructor() {
    this.#emitter.setMaxListeners(0);
  }
  publish(c: Case): void {
    this.#emitter.emit('committed', c);
  }
  subscribe(fn: (c: Case) => void): () => void {
    this.#emitter.on('committed', fn);
    return () => this.#emitter.off('committed', fn);
  }
  /** Alerts travel on their own channel: subscribers of cases need not tell the two apart. */
  publishAlert(c: Alert): void {
    this.#emitter.emit('alert', c);
  }
  subscribeAlerts(fn: (c: Alert) => void): () => void {
    this.#emitter.on('alert', fn);
    return () => this.#emitter.off('alert', fn);
  }
  publishAnalysis(c: Analysis): void {
    this.#emitter.emit('analysis', c);
  }
  subscribeAnalyses(fn: (c: Analysis) => void): () => void {
    this.#emitter.on('analysis', fn);
    return () => this.#emitter.off('analysis', fn);
  }
  get listenerCount(): number {
    return this.#emitter.listenerCount('committed');
  }
}
