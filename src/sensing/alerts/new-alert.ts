/**
 * A new alert as a document: placed in the jurisdictions, owned by a center and a unit, numbered
 * by day (YJ…). Written by the alert service in the raising transaction.
 */
import { sql } from 'kysely';
import type { Tx } from '../../store/store.ts';
import type { OrgDirectory } from '../../org/org-directory.ts';
import type { JurisdictionResolver, ResolvedLink } from '../../geo/resolver.ts';
import type { Tier } from '../../cases/case-model.ts';
import { newId } from '../../ids.ts';
import type { AlertDoc, AlertDraft } from './alert-model.ts';

/** What placing and owning a new alert needs (the alert service's dependencies satisfy it). */
export interface NewAlertContext {
  readonly resolver: () => JurisdictionResolver;
  readonly org: OrgDirectory;
  /** The unit that owns a device: it sees the device's alerts. */
  readonly deviceOwner?: ((deviceId: string) => string | null) | undefined;
}

/**
 * A new alert's document from its draft: its place in the jurisdictions (from its location, or
 * from a named jurisdiction), the center that owns it at its tier, the unit that owns its device,
 * and its day's number.
 */
export async function newAlertDoc(tx: Tx, d: AlertDraft, ctx: NewAlertContext): Promise<AlertDoc> {
  const resolver = ctx.resolver();
  let chain: ResolvedLink[] = [];
  if (d.location) chain = resolver.resolve(d.location.lon, d.location.lat)?.chain ?? [];
  else if (d.jurisdictionCode) {
    for (let c: string | null = d.jurisdictionCode; c; c = resolver.get(c)?.parentCode ?? null) {
      const j = resolver.get(c);
      if (!j) break;
      chain.unshift({ code: j.code, name: j.name, level: j.level });
    }
  }
  const tier: Tier = d.tier ?? 'district';
  const tierLevel = tier === 'city' ? 'city' : tier;
  const ownerJurisdiction = chain.find((l) => l.level === tierLevel) ?? chain.find((l) => l.level === 'district') ?? chain[0];
  const owner = ownerJurisdiction ? ctx.org.centerOfJurisdiction(ownerJurisdiction.code) : undefined;
  const metric = d.metric ?? null;
  const value = d.value ?? null;
  return {
    id: newId(),
    number: await nextAlertNumber(tx, new Date(d.at)),
    dedupKey: d.dedupKey,
    source: d.source,
    status: 'raised',
    severity: d.severity,
    title: d.title,
    description: d.description ?? null,
    ruleId: d.ruleId ?? null,
    ruleVersion: d.ruleVersion ?? null,
    trusted: d.trusted ?? false,
    categoryCode: d.categoryCode ?? null,
    deviceId: d.deviceId ?? null,
    assetId: d.assetId ?? null,
    location: d.location ?? null,
    chain,
    districtCode: chain.find((l) => l.level === 'district')?.code ?? null,
    jurisdictionCode: chain[chain.length - 1]?.code ?? null,
    tier: owner?.tier ?? tier,
    ownerCenterId: owner?.id ?? null,
    ownerUnitId: d.ownerUnitId ?? (d.deviceId ? (ctx.deviceOwner?.(d.deviceId) ?? null) : null),
    watchers: [],
    caseId: null,
    firstAt: d.at,
    lastAt: d.at,
    count: 1,
    peak: metric !== null && value !== null ? { metric, value } : null,
    readings: d.readings ?? {},
    evidence: d.evidence ?? {},
    acknowledged: null,
    verified: null,
    dismissed: null,
    clearedAt: null,
    version: 1,
  };
}

/** YJ, the day on the city's clock (+08:00), then a counter of that day: YJ20260302000001. */
export async function nextAlertNumber(tx: Tx, at: Date): Promise<string> {
  const day = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
  const row = await tx
    .insertInto('counters')
    .values({ name: `alert:${day}`, value: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return `YJ${day}${String(row.value).padStart(6, '0')}`;
}
