import type { Logger } from 'pino';
import type { CaseService } from '../cases/case-service.ts';

/**
 * Polls the durable timers table. Timers live in the store, not in memory, so a restart loses
 * none: on start the scheduler fires everything that came due while the server was down, and the
 * claim-in-transaction in CaseService.fireDueTimers keeps each one from firing twice.
 */
export class TimerScheduler {
  readonly #cases: CaseService;
  readonly #intervalMs: number;
  readonly #log: Pick<Logger, 'info' | 'warn' | 'error'> | undefined;
  #handle: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;

  constructor(cases: CaseService, intervalMs: number, log?: Pick<Logger, 'info' | 'warn' | 'error'>) {
    this.#cases = cases;
    this.#intervalMs = intervalMs;
    this.#log = log;
  }

  /** Fires all due timers now (in batches), and says how many produced events. */
  async runDue(): Promise<number> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      let total = 0;
      for (;;) {
        const n = await this.#cases.fireDueTimers(200);
        total += n;
        if (n < 200) break;
      }
      return total;
    })();
    try {
      return await this.#running;
    } finally {
      this.#running = null;
    }
  }

  start(): void {
    if (this.#handle) return;
    const tick = () => {
      this.runDue().catch((err: unknown) => this.#log?.error({ err }, 'timer tick failed; will retry'));
    };
    tick();
    this.#handle = setInterval(tick, this.#intervalMs);
    this.#handle.unref();
  }

  stop(): void {
    if (this.#handle) clearInterval(this.#handle);
    this.#handle = null;
  }
}
