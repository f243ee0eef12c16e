/**
 * What a failed store call means for the caller. Drivers report faults in their own words (SQLite
 * result codes, PostgreSQL SQLSTATEs, Node socket errors, pg's plain messages); the platform needs
 * only two answers that differ from a bug: the store is out of space (an operator must act), or it
 * is unreachable, stalled or restarting (the client should come back shortly). Everything else is
 * a fault of ours and stays a 500. Pure: no I/O, no state.
 */

export type StoreFault = 'full' | 'unavailable';

/** A store call that did not finish within STORE_TIMEOUT_MS (raised by our own bounds). */
export class StoreTimeoutError extends Error {
  readonly code = 'CITYLOOP_STORE_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

// PostgreSQL SQLSTATE classes and codes (Appendix A of its manual).
const PG_FULL = new Set(['53100']); // disk_full
const PG_UNAVAILABLE_CLASSES = ['08', '53', '57P', '58']; // connection exception, insufficient resources, operator intervention (shutdown, restart), system error (I/O)
const PG_UNAVAILABLE = new Set(['57014', '25P03', '55P03', '40P01']); // statement timeout or cancel, idle-in-transaction timeout, lock not available, deadlock (retry)

// Socket errors of a database that went away or never answered.
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

// pg and pg-pool report lost connections and their own timeouts by message only.
const PG_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /is not queryable/,
  /^Postgres connection has been discarded/,
  /^Client was closed and is not queryable/,
];

function faultOf(err: { code?: unknown; message?: unknown }): StoreFault | null {
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : '';
  if (code === 'CITYLOOP_STORE_TIMEOUT') return 'unavailable';
  // SQLite (better-sqlite3 names the extended result code).
  if (code === 'SQLITE_FULL' || /database or disk is full/.test(message)) return 'full';
  if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|READONLY|PROTOCOL)/.test(code)) {
    // An I/O error that is a full disk underneath (a WAL that cannot grow) is still "full".
    return /ENOSPC|disk is full/i.test(message) ? 'full' : 'unavailable';
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (PG_FULL.has(code)) return 'full';
  if (/^[0-9A-Z]{5}$/.test(code) && (PG_UNAVAILABLE.has(code) || PG_UNAVAILABLE_CLASSES.some((c) => code.startsWith(c)))) return 'unavailable';
  if (NET_UNAVAILABLE.has(code)) return 'unavailable';
  if (PG_MESSAGES.some((m) => m.test(message))) return 'unavailable';
  return null;
}

/** The store fault an error reports, following `cause` a few steps; null for any other error. */
export function classifyStoreFault(err: unknown): StoreFault | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const f = faultOf(e as { code?: unknown; message?: unknown });
    if (f) return f;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** The driver's own words for the log (code and message), where the answer to the client says less. */
export function describeStoreFault(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = e && typeof e.code === 'string' ? `${e.code}: ` : '';
  return `${code}${e && typeof e.message === 'string' ? e.message : printable(err)}`;
}

// String() itself throws on an object whose toString is not a function (or a null-prototype
// object); the description of a fault must never be a second fault.
function printable(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The store's recent faults, as readiness reports them: a write that failed because the store is
 * full (or gone) matters until a later write succeeds.
 */
export class StoreFaultMonitor {
  #lastFault: { kind: StoreFault; at: number; detail: string; seq: number } | null = null;
  // A sequence, not the clock: a fault and a success within one millisecond must still be ordered.
  #seq = 0;
  #lastWriteOkSeq = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  noteWriteOk(): void {
    this.#lastWriteOkSeq = ++this.#seq;
  }

  /** Records the error if it is a store fault; says which. */
  noteError(err: unknown): StoreFault | null {
    const kind = classifyStoreFault(err);
    if (kind) this.#lastFault = { kind, at: this.#now(), detail: describeStoreFault(err).slice(0, 300), seq: ++this.#seq };
    return kind;
  }

  /** The last fault, unless a write succeeded after it. */
  current(): { kind: StoreFault; at: string; detail: string } | null {
    const f = this.#lastFault;
    if (!f || this.#lastWriteOkSeq > f.seq) return null;
    return { kind: f.kind, at: new Date(f.at).toISOString(), detail: f.detail };
  }
}
