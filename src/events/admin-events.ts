/**
 * Administrative changes in the one event log: a device registered or its secret rotated, a rule,
 * plan, routing table or category list saved, a user or unit created or disabled, an API token
 * issued or revoked. Each is an event of its own stream (`device:ID`, `user:ID` …) written in the
 * transaction that makes the change, so the audit trail says who changed what, when and why, and
 * `audit verify` covers it like every case event. Secrets never go into a payload.
 */
import type { StoreAdapter, Tx } from '../store/store.ts';
import { newId } from '../ids.ts';
import { appendEvents, type StoredEventRow } from './event-log.ts';
import { likeStartsWith } from '../store/like-pattern.ts';

/** The kinds of things administered, each the prefix of its stream id. */
export const ADMIN_STREAM_KINDS = ['device', 'rule', 'plan', 'routing', 'categories', 'user', 'unit', 'center', 'token', 'settings', 'view', 'analysis'] as const;
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

/**
 * Who acts, as the log needs them: a shape of its own rather than auth's Principal, which sits a
 * layer above the log (any principal has these fields).
 */
export interface ActingPerson {
  readonly userId: string;
  readonly displayName: string;
  readonly roles: readonly string[];
}

/** Who did it, as the log stores an actor. */
export function actorOf(p: ActingPerson): { id: string; name: string; roles: readonly string[] } {
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
  actor: ActingPerson,
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
    drafts.push({ id: newId(), streamId, streamVersion: version, type: c.type, schemaVersion: 1, actor: actorOf(actor), at, payload: c.payload, streamType: c.kind });
  }
  return appendEvents(tx, store, drafts);
}

/**
 * Who makes a change: a signed-in person, or a name for the platform itself acting from a file
 * (`file:burst.yaml` when a shipped plan is read at start) or a tool.
 */
export type ChangeAuthor = string | (ActingPerson & { readonly username: string });

/** The name stored beside a version (`created_by`). */
export function authorName(by: ChangeAuthor): string {
  return typeof by === 'string' ? by : by.username;
}

/** The actor the log records. */
export function authorActor(by: ChangeAuthor): ActingPerson {
  return typeof by === 'string' ? { userId: by, displayName: by, roles: ['system'] } : by;
}

/** One administrative change as the audit page shows it. */
export interface AdminChangeView {
  readonly seq: number;
  readonly kind: string;
  readonly id: string;
  readonly type: string;
  readonly at: string;
  readonly actor: { id: string; name: string; roles: string[] };
  readonly payload: unknown;
}

/**
 * Administrative changes, newest first. Their streams are named `kind:id`; case and alert
 * streams are bare ids, so the prefix never matches them. `exact`: one thing's stream only.
 */
export async function listAdminChanges(
  db: Tx,
  q: { streamPrefix?: string | undefined; exact?: boolean; before?: number | undefined; limit: number },
): Promise<{ items: AdminChangeView[]; nextBefore: number | null }> {
  let query = db.selectFrom('events').select(['seq', 'stream_id', 'type', 'at', 'actor', 'payload']);
  // By the stream's kind (an indexed column), not a pattern on its id.
  const kind = q.streamPrefix?.endsWith(':') ? q.streamPrefix.slice(0, -1) : undefined;
  if (q.streamPrefix === undefined) query = query.where('stream_type', 'in', [...ADMIN_STREAM_KINDS]);
  else if (q.exact) query = query.where('stream_id', '=', q.streamPrefix);
  else if (kind !== undefined && (ADMIN_STREAM_KINDS as readonly string[]).includes(kind)) query = query.where('stream_type', '=', kind);
  else query = query.where(likeStartsWith('stream_id', q.streamPrefix));
  if (q.before !== undefined) query = query.where('seq', '<', q.before);
  const rows = await query.orderBy('seq', 'desc').limit(q.limit + 1).execute();
  const items = rows.slice(0, q.limit).map((r) => {
    const at = r.stream_id.indexOf(':');
    return { seq: Number(r.seq), kind: r.stream_id.slice(0, at), id: r.stream_id.slice(at + 1), type: r.type, at: r.at, actor: JSON.parse(r.actor) as AdminChangeView['actor'], payload: JSON.parse(r.payload) as unknown };
  });
  return { items, nextBefore: rows.length > q.limit ? items[items.length - 1]!.seq : null };
}
