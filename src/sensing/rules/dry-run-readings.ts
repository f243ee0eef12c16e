/**
 * The stored readings a rule's dry run replays: those of the given devices in a window, oldest
 * first, at most `max` (the oldest kept), and whether more were left out.
 */
import type { Tx } from '../../store/store.ts';
import type { Reading } from '../sensing-model.ts';

export async function readingsForDryRun(db: Tx, deviceIds: readonly string[], from: string, to: string, max: number): Promise<{ readings: Reading[]; truncated: boolean }> {
  const out: Reading[] = [];
  let truncated = false;
  // In chunks: an IN list of thousands of parameters is refused by some drivers.
  for (let i = 0; i < deviceIds.length && !truncated; i += 500) {
    const room = max - out.length;
    const rows = await db
      .selectFrom('readings')
      .select(['device_id', 'ts', 'payload'])
      .where('device_id', 'in', deviceIds.slice(i, i + 500))
      .where('ts', '>=', from)
      .where('ts', '<=', to)
      .orderBy('ts')
      .limit(room + 1)
      .execute();
    if (rows.length > room) truncated = true;
    for (const r of rows.slice(0, room)) out.push({ deviceId: r.device_id, ts: r.ts, values: JSON.parse(r.payload) as Record<string, number> });
  }
  return { readings: out, truncated };
}
