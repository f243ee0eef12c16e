/**
 * The device registry: every sensor, camera and actuator the platform hears from, where it is,
 * what it watches, who owns it, its rule overrides and its credentials. Held in memory (the MQTT
 * broker asks it on every CONNECT and publish, the pipeline on every reading) and written through
 * to the store.
 *
 * Credentials: a device secret is 32 random bytes shown once, when it is issued; the store keeps
 * only its SHA-256. A slow password hash (scrypt) protects guessable human passwords; a random
 * 256-bit secret cannot be guessed, so a fast hash is enough and keeps a reconnect storm of
 * thousands of devices cheap.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StoreAdapter, Tx } from '../../store/store.ts';
import type { DeviceTable } from '../../store/schema.ts';
import type { Clock } from '../../clock.ts';
import type { JurisdictionResolver } from '../../geo/resolver.ts';
import type { AssetIndex } from '../../assets/asset-index.ts';
import type { OrgDirectory } from '../../org/org-directory.ts';
import { CityLoopError } from '../../errors.ts';
import type { DeviceDraft, DeviceRecord, DeviceStatus } from './device-draft.ts';
import { parseDeviceFile } from './device-draft.ts';
import type { Principal } from '../../auth/principal.ts';
import type { DeviceHolding } from './device-policy.ts';
import { recordAdminChanges, type AdminChange } from '../../events/admin-events.ts';
import { Revocations, type RevocationNotifier, type SessionEndReason } from '../../auth/session-registry.ts';

export interface DevicePlaceLookup {
  resolver(): JurisdictionResolver;
  assets(): AssetIndex;
  readonly org: OrgDirectory;
}

export interface DeviceListFilter {
  readonly type?: string | undefined;
  readonly district?: string | undefined;
  readonly assetId?: string | undefined;
  readonly unitId?: string | undefined;
  /** Only devices inside this jurisdiction (its chain contains it). */
  readonly within?: string | undefined;
  /** Only devices placed inside this box (minLon, minLat, maxLon, maxLat; GCJ-02 like their places). */
  readonly bbox?: readonly [number, number, number, number] | undefined;
}

/**
 * Who changes a device, and the check of whether they may: called with the device as it stood
 * (undefined when new) and as it will stand (undefined when it is removed or only re-keyed),
 * before anything is written; it throws to refuse. Every change is an event with this actor.
 */
export interface DeviceChangeBy {
  readonly actor: Principal;
  readonly check?: (before: DeviceHolding | undefined, after: DeviceHolding | undefined) => void;
}

/** The fields of a device that a change event compares (never its secret). */
const TRACKED_FIELDS = ['type', 'model', 'name', 'lon', 'lat', 'jurisdictionCode', 'districtCode', 'assetId', 'unitId', 'thresholds', 'properties', 'status'] as const;

function describeDevice(d: DeviceRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { id: d.id };
  for (const k of TRACKED_FIELDS) out[k] = d[k];
  out.hasCredentials = d.hasCredentials;
  return out;
}

/** What changed between two versions of a device, field by field (`{name: {from, to}}`). */
function deviceDiff(before: DeviceRecord, after: DeviceRecord): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of TRACKED_FIELDS) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = { from: before[k], to: after[k] };
  }
  return out;
}

export interface IssuedDevice {
  readonly device: DeviceRecord;
  /** Shown once; null when the device was created without MQTT credentials. */
  readonly secret: string | null;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toRecord(r: DeviceTable): DeviceRecord {
  return {
    id: r.id,
    type: r.type,
    model: r.model,
    name: r.name,
    lon: r.lon,
    lat: r.lat,
    jurisdictionCode: r.jurisdiction_code,
    districtCode: r.district_code,
    assetId: r.asset_id,
    unitId: r.unit_id,
    thresholds: JSON.parse(r.thresholds) as Record<string, number>,
    properties: JSON.parse(r.properties) as Record<string, unknown>,
    hasCredentials: r.secret_hash !== null,
    status: r.status as DeviceStatus,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastSeenAt: r.last_seen_at,
  };
}

export class DeviceRegistry {
  #byId = new Map<string, DeviceRecord>();
  #secretHashes = new Map<string, Buffer>();
  #byAsset = new Map<string, string[]>();
  readonly #store: StoreAdapter;
  readonly #clock: Clock;
  readonly #place: DevicePlaceLookup;
  readonly #revocations: Revocations;

  constructor(store: StoreAdapter, clock: Clock, place: DevicePlaceLookup, revocations: Revocations = new Revocations()) {
    this.#store = store;
    this.#clock = clock;
    this.#place = place;
    this.#revocations = revocations;
  }

  /**
   * Where the end of a device's credentials is announced (secret rotated, device removed or no
   * longer active), after the commit, whoever made the change: the embedded broker listens and
   * closes the device's MQTT connections.
   */
  get revocations(): RevocationNotifier {
    return this.#revocations;
  }

  #credentialsEnded(id: string, reason: SessionEndReason): void {
    this.#revocations.publish({ kind: 'device', deviceId: id, reason });
  }

  async reload(): Promise<void> {
    const rows = await this.#store.db.selectFrom('devices').selectAll().execute();
    const before = this.#byId;
    const hashesBefore = this.#secretHashes;
    this.#byId = new Map();
    this.#secretHashes = new Map();
    this.#byAsset = new Map();
    for (const r of rows) this.#remember(toRecord(r), r.secret_hash);
    // Another process rotated, removed or disabled a device: its connections here end too.
    for (const [id, old] of before) {
      const now = this.#byId.get(id);
      const oldHash = hashesBefore.get(id);
      const newHash = this.#secretHashes.get(id);
      if (!now) this.#credentialsEnded(id, 'device_removed');
      else if (old.status === 'active' && now.status !== 'active') this.#credentialsEnded(id, 'device_disabled');
      else if (oldHash && !(newHash && oldHash.equals(newHash))) this.#credentialsEnded(id, 'device_secret_rotated');
    }
  }

  #remember(d: DeviceRecord, secretHash: string | null | undefined): void {
    const old = this.#byId.get(d.id);
    if (old?.assetId) {
      const list = (this.#byAsset.get(old.assetId) ?? []).filter((x) => x !== d.id);
      if (list.length) this.#byAsset.set(old.assetId, list);
      else this.#byAsset.delete(old.assetId);
    }
    this.#byId.set(d.id, d);
    if (secretHash !== undefined) {
      if (secretHash) this.#secretHashes.set(d.id, Buffer.from(secretHash, 'hex'));
      else this.#secretHashes.delete(d.id);
    }
    if (d.assetId) this.#byAsset.set(d.assetId, [...(this.#byAsset.get(d.assetId) ?? []), d.id]);
  }

  get(id: string): DeviceRecord | undefined {
    return this.#byId.get(id);
  }

  require(id: string): DeviceRecord {
    const d = this.#byId.get(id);
    if (!d) throw new CityLoopError('NOT_FOUND', { what: '设备/device', id });
    return d;
  }

  /** The devices watching one asset (the sensors an asset-scoped rule combines). */
  atAsset(assetId: string): DeviceRecord[] {
    return (this.#byAsset.get(assetId) ?? []).map((id) => this.#byId.get(id)!).filter(Boolean);
  }

  get size(): number {
    return this.#byId.size;
  }

  all(): IterableIterator<DeviceRecord> {
    return this.#byId.values();
  }

  list(f: DeviceListFilter, limit = 1000): DeviceRecord[] {
    const out: DeviceRecord[] = [];
    const resolver = f.within ? this.#place.resolver() : null;
    for (const d of this.#byId.values()) {
      if (f.type && d.type !== f.type) continue;
      if (f.district && d.districtCode !== f.district) continue;
      if (f.assetId && d.assetId !== f.assetId) continue;
      if (f.unitId && d.unitId !== f.unitId) continue;
      if (f.within && resolver && !withinChain(resolver, d.jurisdictionCode, f.within)) continue;
      if (f.bbox && (d.lon < f.bbox[0] || d.lat < f.bbox[1] || d.lon > f.bbox[2] || d.lat > f.bbox[3])) continue;
      out.push(d);
      if (out.length >= limit) break;
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Checks a device's id and secret (MQTT CONNECT). Constant time in the secret; false for an
   * unknown, disabled or credential-less device.
   */
  authenticate(id: string, secret: string): boolean {
    const d = this.#byId.get(id);
    const want = this.#secretHashes.get(id);
    if (!d || !want || d.status !== 'active') return false;
    const got = Buffer.from(hashSecret(secret), 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** Places a draft: GCJ-02 point (its own or its asset's), lowest jurisdiction and district. */
  #placed(d: DeviceDraft): { lon: number; lat: number; jurisdictionCode: string; districtCode: string | null; unitId: string | null } {
    let lon = d.lon;
    let lat = d.lat;
    let unitId = d.unitId;
    if (d.assetId) {
      const asset = this.#place.assets().get(d.assetId);
      if (!asset) throw new CityLoopError('VALIDATION_FAILED', { detail: `device ${d.id}: no asset ${d.assetId}` });
      if (lon === null || lat === null) [lon, lat] = representativePoint(asset.geometry);
      unitId ??= asset.unitId;
    }
    if (unitId && !this.#place.org.unit(unitId)) throw new CityLoopError('UNKNOWN_UNIT', { id: unitId });
    const resolver = this.#place.resolver();
    const resolved = resolver.resolve(lon!, lat!);
    if (!resolved) throw new CityLoopError('GEO_OUTSIDE_CITY', { lng: lon, lat });
    const chain = resolved.chain;
    return {
      lon: lon!,
      lat: lat!,
      jurisdictionCode: chain[chain.length - 1]!.code,
      districtCode: chain.find((l) => l.level === 'district')?.code ?? null,
      unitId,
    };
  }

  #row(d: DeviceDraft, now: string, createdAt: string, secretHash: string | null, lastSeenAt: string | null): DeviceTable {
    const p = this.#placed(d);
    return {
      id: d.id,
      type: d.type,
      model: d.model,
      name: d.name,
      lon: p.lon,
      lat: p.lat,
      jurisdiction_code: p.jurisdictionCode,
      district_code: p.districtCode,
      asset_id: d.assetId,
      unit_id: p.unitId,
      thresholds: JSON.stringify(d.thresholds),
      properties: JSON.stringify(d.properties),
      secret_hash: secretHash,
      status: d.status,
      created_at: createdAt,
      updated_at: now,
      last_seen_at: lastSeenAt,
    };
  }

  /** Registers a new device; with credentials (the default) its secret is returned once. */
  async create(d: DeviceDraft, opts: { credentials?: boolean }, by: DeviceChangeBy): Promise<IssuedDevice> {
    if (this.#byId.has(d.id)) throw new CityLoopError('ALREADY_EXISTS', { what: '设备/device', id: d.id });
    const now = this.#clock.now().toISOString();
    const secret = opts.credentials === false ? null : newSecret();
    const row = this.#row(d, now, now, secret ? hashSecret(secret) : null, null);
    by.check?.(undefined, holdingOf(row));
    await this.#store.transact(async (tx) => {
      await tx.insertInto('devices').values(row).execute();
      await this.#record(tx, by, now, [{ kind: 'device', id: d.id, type: 'DeviceRegistered', payload: describeDevice(toRecord(row)) }]);
    });
    this.#remember(toRecord(row), row.secret_hash);
    return { device: this.#byId.get(d.id)!, secret };
  }

  /** Replaces a device's description; its credentials and last-seen time stay. */
  async update(d: DeviceDraft, by: DeviceChangeBy): Promise<DeviceRecord> {
    const old = this.require(d.id);
    const now = this.#clock.now().toISOString();
    const row = this.#row(d, now, old.createdAt, null, old.lastSeenAt);
    by.check?.(old, holdingOf(row));
    const { secret_hash: _keep, ...changes } = row;
    const after = { ...toRecord(row), hasCredentials: old.hasCredentials };
    await this.#store.transact(async (tx) => {
      await tx.updateTable('devices').set(changes).where('id', '=', d.id).execute();
      await this.#record(tx, by, now, [{ kind: 'device', id: d.id, type: 'DeviceUpdated', payload: { id: d.id, changes: deviceDiff(old, after) } }]);
    });
    this.#remember(toRecord({ ...row, secret_hash: this.#secretHashes.has(d.id) ? 'x' : null }), undefined);
    if (d.status !== 'active') this.#credentialsEnded(d.id, 'device_disabled');
    return this.#byId.get(d.id)!;
  }

  /** Issues a new secret; the old one stops working at once (a device that was stolen or leaked). */
  async rotateSecret(id: string, by: DeviceChangeBy): Promise<IssuedDevice> {
    const d = this.require(id);
    by.check?.(d, undefined);
    const secret = newSecret();
    const hash = hashSecret(secret);
    const now = this.#clock.now().toISOString();
    await this.#store.transact(async (tx) => {
      await tx.updateTable('devices').set({ secret_hash: hash, updated_at: now }).where('id', '=', id).execute();
      await this.#record(tx, by, now, [{ kind: 'device', id, type: 'DeviceSecretRotated', payload: { id, hadCredentials: d.hasCredentials } }]);
    });
    this.#remember({ ...d, hasCredentials: true, updatedAt: now }, hash);
    this.#credentialsEnded(id, 'device_secret_rotated');
    return { device: this.#byId.get(id)!, secret };
  }

  async setStatus(id: string, status: DeviceStatus, by: DeviceChangeBy): Promise<DeviceRecord> {
    const d = this.require(id);
    by.check?.(d, d);
    const now = this.#clock.now().toISOString();
    await this.#store.transact(async (tx) => {
      await tx.updateTable('devices').set({ status, updated_at: now }).where('id', '=', id).execute();
      await this.#record(tx, by, now, [{ kind: 'device', id, type: 'DeviceUpdated', payload: { id, changes: { status: { from: d.status, to: status } } } }]);
    });
    this.#remember({ ...d, status, updatedAt: now }, undefined);
    if (status !== 'active') this.#credentialsEnded(id, 'device_disabled');
    return this.#byId.get(id)!;
  }

  async remove(id: string, by: DeviceChangeBy): Promise<void> {
    const old = this.require(id);
    by.check?.(old, undefined);
    const now = this.#clock.now().toISOString();
    await this.#store.transact(async (tx) => {
      await tx.deleteFrom('devices').where('id', '=', id).execute();
      await tx.deleteFrom('rule_states').where('subject_key', '=', id).execute();
      await this.#record(tx, by, now, [{ kind: 'device', id, type: 'DeviceRemoved', payload: describeDevice(old) }]);
    });
    const d = this.#byId.get(id)!;
    this.#remember({ ...d, assetId: null }, null);
    this.#byId.delete(id);
    this.#credentialsEnded(id, 'device_removed');
  }

  /**
   * Imports a CSV or GeoJSON file of devices, all or nothing: any bad row refuses the whole file
   * with every problem listed. Existing ids are updated (their credentials kept); new ones get
   * credentials when `credentials` is on, and their secrets are returned (once).
   */
  async importFile(
    text: string,
    format: 'csv' | 'geojson',
    opts: { dryRun?: boolean; credentials?: boolean; onProgress?: (done: number, total: number) => void },
    by: DeviceChangeBy,
  ): Promise<{ created: number; updated: number; secrets: { id: string; secret: string }[]; errors: { index: number; errors: string[] }[]; forbidden: number[] }> {
    const parsed = parseDeviceFile(text, format);
    const errors = [...parsed.errors];
    const now = this.#clock.now().toISOString();
    const rows: { row: DeviceTable; isNew: boolean; secret: string | null }[] = [];
    const forbidden: number[] = [];
    parsed.drafts.forEach((d, i) => {
      const old = this.#byId.get(d.id);
      const secret = !old && opts.credentials !== false ? newSecret() : null;
      try {
        const row = this.#row(d, now, old?.createdAt ?? now, secret ? hashSecret(secret) : null, old?.lastSeenAt ?? null);
        // An import may neither overwrite a device outside the caller's ground nor place one there.
        by.check?.(old, holdingOf(row));
        rows.push({ row, isNew: !old, secret });
      } catch (e) {
        errors.push({ index: i, errors: [e instanceof CityLoopError ? e.message : String(e)] });
        if (e instanceof CityLoopError && e.status === 403) forbidden.push(i);
      }
    });
    if (errors.length > 0 || opts.dryRun) return { created: rows.filter((r) => r.isNew).length, updated: rows.filter((r) => !r.isNew).length, secrets: [], errors, forbidden };
    const CHUNK = 200;
    await this.#store.transact(async (tx) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        for (const r of rows.slice(i, i + CHUNK)) {
          if (r.isNew) await tx.insertInto('devices').values(r.row).execute();
          else {
            const { secret_hash: _keep, created_at: _c, ...changes } = r.row;
            await tx.updateTable('devices').set(changes).where('id', '=', r.row.id).execute();
          }
        }
        await this.#record(tx, by, now, rows.slice(i, i + CHUNK).map((r) => this.#importChange(r.row, r.isNew)));
        opts.onProgress?.(Math.min(i + CHUNK, rows.length), rows.length);
      }
    });
    for (const r of rows) this.#remember(toRecord({ ...r.row, secret_hash: r.isNew ? r.row.secret_hash : this.#secretHashes.has(r.row.id) ? 'x' : null }), r.isNew ? r.row.secret_hash : undefined);
    for (const r of rows) if (!r.isNew && r.row.status !== 'active') this.#credentialsEnded(r.row.id, 'device_disabled');
    return {
      created: rows.filter((r) => r.isNew).length,
      updated: rows.filter((r) => !r.isNew).length,
      secrets: rows.filter((r) => r.secret).map((r) => ({ id: r.row.id, secret: r.secret! })),
      errors: [],
      forbidden: [],
    };
  }

  #importChange(row: DeviceTable, isNew: boolean): AdminChange {
    const after = toRecord(row);
    if (isNew) return { kind: 'device', id: row.id, type: 'DeviceRegistered', payload: { ...describeDevice(after), via: 'import' } };
    const old = this.#byId.get(row.id)!;
    return { kind: 'device', id: row.id, type: 'DeviceUpdated', payload: { id: row.id, changes: deviceDiff(old, { ...after, hasCredentials: old.hasCredentials }), via: 'import' } };
  }

  #record(tx: Tx, by: DeviceChangeBy, at: string, changes: readonly AdminChange[]): Promise<unknown> {
    return recordAdminChanges(tx, this.#store, by.actor, at, changes);
  }

  /** Last-seen times, written by the ingest pipeline in its own transaction. */
  async touch(tx: Tx, seen: ReadonlyMap<string, string>): Promise<void> {
    for (const [id, at] of seen) {
      const d = this.#byId.get(id);
      if (!d || (d.lastSeenAt && d.lastSeenAt >= at)) continue;
      await tx.updateTable('devices').set({ last_seen_at: at }).where('id', '=', id).execute();
    }
  }

  /** After the pipeline's transaction committed: the in-memory view catches up. */
  noteSeen(seen: ReadonlyMap<string, string>): void {
    for (const [id, at] of seen) {
      const d = this.#byId.get(id);
      if (d && (!d.lastSeenAt || d.lastSeenAt < at)) this.#byId.set(id, { ...d, lastSeenAt: at });
    }
  }
}

function holdingOf(row: DeviceTable): DeviceHolding {
  return { jurisdictionCode: row.jurisdiction_code, unitId: row.unit_id };
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function withinChain(resolver: JurisdictionResolver, code: string | null, ancestor: string): boolean {
  for (let c = code; c; c = resolver.get(c)?.parentCode ?? null) if (c === ancestor) return true;
  return false;
}

function representativePoint(g: { type: string; coordinates: unknown }): [number, number] {
  let c: unknown = g.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  const p = c as number[];
  return [p[0]!, p[1]!];
}
