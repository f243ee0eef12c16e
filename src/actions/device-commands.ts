/**
 * The device command port: how a plan's automatic step reaches a device in the street (a traffic
 * signal, a pump, a barrier) and learns whether the device did it. A plan needs a confirmation,
 * not a delivery receipt: a signal that did not switch to red must be raised to an operator, so
 * `send` resolves only on the device's own acknowledgement, on a refusal, or when it gives up.
 *
 * Adapters live one per folder (`mqtt/`); the rest of the platform depends only on this file.
 */

export interface DeviceCommand {
  /**
   * Unique per command, kept across resends: a device that receives the same commandId twice
   * must not act twice (the first ack may have been lost, so the platform sends again).
   */
  readonly commandId: string;
  readonly deviceId: string;
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The case the command acts for, so a device log can be traced back; null for manual tests. */
  readonly caseId: string | null;
  /** ISO-8601 UTC. */
  readonly issuedAt: string;
}

export interface DeviceAck {
  readonly commandId: string;
  readonly deviceId: string;
  /** false: the device refused or failed to carry the command out; `detail` says why. */
  readonly ok: boolean;
  readonly detail: string | null;
  /** When the platform received the ack (ISO-8601 UTC), by the platform's clock, not the device's. */
  readonly at: string;
}

export type SendOutcome =
  | { confirmed: true; attempts: number; ack: DeviceAck }
  | { confirmed: false; attempts: number; reason: 'timeout' | 'rejected' | 'not_connected'; ack: DeviceAck | null };

export interface RetryPolicy {
  /** How many more times the command is sent after the first attempt when no ack comes; 0: once. */
  readonly times: number;
  /** How long each attempt waits for the ack before the next one (or before giving up). */
  readonly everyMs: number;
}

export interface DeviceCommandChannel {
  /**
   * Sends and waits for the device's acknowledgement; retries `times` times, `everyMs` apart,
   * when no ack comes, so at most `times + 1` attempts and about `(times + 1) × everyMs` in all.
   * A refusal (`ok: false`) is final: sending again would not change the device's mind.
   * Throws only for a command that can never be sent (a malformed device or command id).
   */
  send(cmd: DeviceCommand, retry: RetryPolicy): Promise<SendOutcome>;
  close(): Promise<void>;
  /** Whether the channel is connected to its broker now (readiness); absent: not known. */
  readonly connected?: boolean;
}

/** Refuses a retry policy that would hang (NaN, Infinity) or spin (0 ms), with the values given. */
export function assertRetryPolicy(retry: RetryPolicy): void {
  if (!Number.isInteger(retry.times) || retry.times < 0 || retry.times > 100) {
    throw new RangeError(`retry.times must be an integer from 0 to 100 (got ${String(retry.times)})`);
  }
  if (!Number.isFinite(retry.everyMs) || retry.everyMs < 1 || retry.everyMs > 24 * 3_600_000) {
    throw new RangeError(`retry.everyMs must be from 1 ms to 24 h (got ${String(retry.everyMs)})`);
  }
}
