/**
 * Administrative changes in the one event log: a device registered or its secret rotated, a rule,
 * plan, routing table or category list saved, a user or unit created or disabled, an API token
 * issued or revoked. Each is an event of its own stream (`device:ID`, `user:ID` …) written in the
 * transaction that makes the change, so the audit trail says who changed what, when and why, and
 * `audit verify` covers it like every case event. Secrets never go into a payload.
 */
import type { StoreAdapter, Tx } from '../store/store.ts';
import type { Principal } from '../auth/principal.ts';
import { newId } from '../ids.ts';
import { appendEvents, type StoredEventRow } from './event-log.ts';

/** The kinds of things administered, each the prefix of its stream id. */
export const ADMIN_STREAM_KINDS = ['device', 'rule', 'plan', 'routing', 'categories', 'user', 'unit', 'center', 'token', 'settings'] as const;
export type AdminStreamKind = (typeof ADMIN_STREAM_KINDS)[number];

export interface AdminChange {
  readonly kind: AdminStreamKind;
  /** The thing's id within its kind (a device id, a rule id …); one stream per thing. */
  readonly id: string;
  /** What happened, past tense: `DeviceRegistered`, `DeviceSecretRotated`, `UserDisabled` … */
  readonly type: string;
  /** What changed, without secrets. */
  readonly payload: Record<string, unknown>;
}

export function adminStreamId(kind: AdminStreamKind, id: string): string {
  return `${kind}:${id}`;
}

/** Who did it, as the log stores an actor. */
export function actorOf(p: Pick<Principal, 'userId' | 'displayName' | 'roles'>): { id: string; name: string; roles: readonly string[] } {
  return { id: p.userId, name: p.displayName, roles: [...p.roles] };
}

/**
 * Appends the changes inside the caller's transaction. The stream version is the next after the
 * stream's last, read in the same transaction (the log head serialises writers, and the unique
 * stream index refuses a twin).
 */
export async function recordAdminChanges(
  tx: Tx,
  store: Pick<StoreAdapter, 'capabilities'>,
  actor: Pick<Principal, 'userId' | 'displayName' | 'roles'>,
  at: string,
  changes: readonly AdminChange[],
): Promise<StoredEventRow[]> {
  if (changes.length === 0) return [];
  const next = new Map<string, number>();
  const drafts = [];
  for (const c of changes) {
    const streamId = adminStreamId(c.kind, c.id);
    let version = next.get(streamId);
    if (version === undefined) {
      const last = await tx.selectFrom('events').select((eb) => eb.fn.max('stream_version').as('v')).where('stream_id', '=', streamId).executeTakeFirst();
      version = Number(last?.v ?? 0);
    }
    version += 1;
    next.set(streamId, version);
    drafts.push({ id: newId(), streamId, streamVersion: version, type: c.type, schemaVersion: 1, actor: actorOf(actor), at, payload: c.payload });
  }
  return appendEvents(tx, store, drafts);
}
