/**
 * The persist stage of the ingest pipeline: one batch's readings, rule states, alert effects,
 * dead letters and last-seen times, written in one transaction.
 */
import { sql } from 'kysely';
import type { Tx } from '../../store/store.ts';
import type { Clock } from '../../clock.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { AlertOutbox, AlertService } from '../alerts/alert-service.ts';
import { newId } from '../../ids.ts';
import { printable } from '../../guarded-json.ts';
import { splitStateKey, type BatchEffect, type BatchWork } from './ingest-batch.ts';

/** Last-seen times are for people ("online 3 minutes ago"): written at most once a minute per device. */
const LAST_SEEN_EVERY_MS = 60_000;

/** What writing a batch needs (the pipeline's dependencies satisfy it). */
export interface BatchWriterDeps {
  readonly clock: Clock;
  readonly devices: DeviceRegistry;
  readonly alerts: AlertService;
  readonly assetName?: ((assetId: string) => string | null) | undefined;
  /** false: readings are evaluated but not kept (a store that must stay small). */
  readonly keepReadings?: boolean | undefined;
}

/**
 * Writes an evaluated batch in the caller's transaction: readings (a QoS 1 duplicate once), the
 * changed rule states, the alerts raised, repeated and cleared, dead letters, and last-seen times
 * where they moved enough to matter. Leaves in `work.lastSeen` only the times it wrote.
 */
export async function writeBatch(tx: Tx, work: BatchWork, out: AlertOutbox, d: BatchWriterDeps): Promise<void> {
  const now = d.clock.now().toISOString();
  if (d.keepReadings !== false && work.readings.length > 0) {
    const rows = work.readings.map((r) => ({ device_id: r.deviceId, ts: r.ts, payload: JSON.stringify(r.values), received_at: now }));
    for (let i = 0; i < rows.length; i += 400) {
      // A QoS 1 duplicate carries the same device and stamp: it is written once.
      await tx.insertInto('readings').values(rows.slice(i, i + 400)).onConflict((oc) => oc.columns(['device_id', 'ts']).doNothing()).execute();
    }
  }
  const upserts: { rule_id: string; subject_key: string; state: string; wake_at: string | null; updated_at: string }[] = [];
  const deletes: [string, string][] = [];
  for (const [k, s] of work.states) {
    if (s === null) {
      const [ruleId, subjectKey] = splitStateKey(k);
      deletes.push([ruleId, subjectKey]);
    } else upserts.push({ rule_id: s.ruleId, subject_key: s.subjectKey, state: JSON.stringify({ v: s.ruleVersion, s: s.state }), wake_at: s.wakeAt, updated_at: now });
  }
  for (let i = 0; i < upserts.length; i += 200) {
    await tx
      .insertInto('rule_states')
      .values(upserts.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(['rule_id', 'subject_key']).doUpdateSet({ state: sql`excluded.state`, wake_at: sql`excluded.wake_at`, updated_at: sql`excluded.updated_at` }),
      )
      .execute();
  }
  for (const [ruleId, subjectKey] of deletes) await tx.deleteFrom('rule_states').where('rule_id', '=', ruleId).where('subject_key', '=', subjectKey).execute();
  for (const item of work.effects) await applyEffect(tx, item, out, d);
  if (work.dead.length > 0) {
    await tx
      .insertInto('dead_letters')
      // Whatever a device sent is kept as printable text: PostgreSQL refuses NUL in text, and a
      // refused insert would fail the whole batch (and every sender in it would resend forever).
      .values(
        work.dead.map((dl) => ({
          id: newId(),
          received_at: now,
          source: dl.source,
          device_id: dl.deviceId === null ? null : printable(dl.deviceId).slice(0, 200),
          topic: dl.topic === null ? null : printable(dl.topic).slice(0, 400),
          reason: printable(dl.reason.slice(0, 500)),
          payload: printable(dl.payload),
        })),
      )
      .execute();
  }
  // Last-seen times are for people ("online 3 minutes ago"); the absence rule keeps its own.
  const stale = new Map<string, string>();
  for (const [id, at] of work.lastSeen) {
    const device = d.devices.get(id);
    if (!device?.lastSeenAt || Date.parse(at) - Date.parse(device.lastSeenAt) >= LAST_SEEN_EVERY_MS) stale.set(id, at);
  }
  if (stale.size > 0) await d.devices.touch(tx, stale);
  work.lastSeen = stale;
}

async function applyEffect(tx: Tx, item: BatchEffect, out: AlertOutbox, d: BatchWriterDeps): Promise<void> {
  const { rule, subject, device, effect } = item;
  const dedupKey = `rule:${rule.id}:${subject.key}`;
  if (effect.type === 'clear') {
    await d.alerts.clearInTx(tx, dedupKey, effect.at, effect.readings, null, out);
    return;
  }
  const subjectName = rule.scope === 'asset' ? (d.assetName?.(subject.key) ?? subject.key) : (device?.name ?? subject.key);
  await d.alerts.raiseInTx(
    tx,
    {
      dedupKey,
      source: 'rule',
      severity: effect.severity,
      title: `${subjectName}：${rule.name}`,
      description: effect.type === 'raise' ? effect.reason.zh : null,
      ruleId: rule.id,
      ruleVersion: rule.version,
      trusted: rule.trusted,
      categoryCode: rule.category,
      deviceId: device?.id ?? null,
      assetId: subject.assetId,
      location: device ? { lon: device.lon, lat: device.lat } : null,
      tier: rule.tier,
      ownerUnitId: device?.unitId ?? null,
      metric: effect.metric,
      value: effect.value,
      readings: effect.readings,
      evidence: effect.type === 'raise' ? { reason: effect.reason, subject: subject.key, scope: rule.scope } : {},
      at: effect.at,
    },
    out,
  );
}
