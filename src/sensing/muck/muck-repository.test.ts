import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type StoreAdapter } from '../../store/store.ts';
import { wgs84ToGcj02 } from '../../geo/crs.ts';
import { parseCameraEvent, type CameraEvent } from './camera-event.ts';
import { enrichCameraEvent } from './muck-chain.ts';
import {
  getCameraEvent,
  getMuckPermit,
  getMuckSite,
  getMuckTruck,
  hasCameraEvent,
  importMuckChain,
  listCameraEvents,
  listMuckPermits,
  listMuckSites,
  listMuckTrucks,
  MuckRegistry,
  recordCameraEvent,
  setCameraEventAlert,
} from './muck-repository.ts';

// As in test/support/test-platform.ts (not imported: this suite needs only the store, not the platform).
const PG_URL = process.env.TEST_DATABASE_URL;
const DIALECTS: ('sqlite' | 'postgres')[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

const square = (x: number, y: number, d = 0.002) => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });

const doc = {
  sites: [
    { id: 'ex-1', kind: 'excavation', name: '某出土工地', geometry: square(106.58, 29.56), contact: '张工' },
    { id: 'dis-1', kind: 'disposal', name: '某消纳场', geometry: { type: 'Point', coordinates: [106.455, 29.492] }, districtCode: '500107' },
  ],
  permits: [
    {
      id: 'p-1',
      number: '渝中渣准〔2026〕0001号',
      company: '甲运输公司',
      excavationSiteId: 'ex-1',
      disposalSiteId: 'dis-1',
      route: { type: 'LineString', coordinates: [[106.58, 29.56], [106.53, 29.54], [106.455, 29.492]] },
      validFrom: '2026-01-01',
      validTo: '2026-06-30',
    },
  ],
  trucks: [
    { plate: '渝A·73521', permitId: 'p-1', company: '甲运输公司' },
    { plate: '渝a 8q602', company: '个体', permitId: null },
  ],
};

function event(over: Record<string, unknown> = {}): CameraEvent {
  const r = parseCameraEvent({ cameraId: 'cam-1', eventType: 'muck_spill', plate: '渝A73521', confidence: 0.9, at: '2026-03-02T01:28:00Z', ...over }, { now: new Date('2026-03-02T01:30:00Z') });
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}

describe.each(DIALECTS)('muck repository on %s', (dialect) => {
  let store: StoreAdapter;
  let dir: string;
  const schema = `muck_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cityloop-muck-'));
    store = await openStore(dialect === 'postgres' ? { databaseUrl: PG_URL, pgSchema: schema } : { dataDir: dir });
  });
  afterAll(async () => {
    if (dialect === 'postgres') await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a document, reads it back and replaces by id', async () => {
    expect(await importMuckChain(store, doc, { districtOf: (x) => (x > 106.57 ? '500103' : null) })).toEqual({ ok: true, sites: 2, permits: 1, trucks: 2 });
    const sites = await listMuckSites(store.db);
    expect(sites.map((s) => [s.id, s.kind, s.districtCode])).toEqual([['dis-1', 'disposal', '500107'], ['ex-1', 'excavation', '500103']]);
    expect(await getMuckSite(store.db, 'ex-1')).toMatchObject({ name: '某出土工地', geometry: square(106.58, 29.56), properties: { contact: '张工' } });
    expect(await listMuckSites(store.db, { kind: 'disposal' })).toHaveLength(1);
    const p = await getMuckPermit(store.db, 'p-1');
    // Dates are China-time days: from the first instant of the first, through the end of the last.
    expect(p).toMatchObject({ validFrom: '2025-12-31T16:00:00.000Z', validTo: '2026-06-30T16:00:00.000Z', status: 'active', route: doc.permits[0]!.route });
    expect(await getMuckPermit(store.db, '渝中渣准〔2026〕0001号')).toEqual(p);
    expect(await listMuckPermits(store.db, { siteId: 'dis-1' })).toHaveLength(1);
    expect(await listMuckPermits(store.db, { status: 'revoked' })).toHaveLength(0);
    expect(await listMuckTrucks(store.db)).toEqual([
      { plate: '渝A73521', permitId: 'p-1', company: '甲运输公司', properties: {} },
      { plate: '渝A8Q602', permitId: null, company: '个体', properties: {} },
    ]);
    expect(await listMuckTrucks(store.db, { permitId: null })).toHaveLength(1);
    expect(await getMuckTruck(store.db, '渝A73521')).toMatchObject({ permitId: 'p-1' });

    // A later document suspends the permit and moves the unpermitted truck under it.
    const again = await importMuckChain(store, { permits: [{ ...doc.permits[0], status: 'suspended' }], trucks: [{ plate: '渝A8Q602', company: '甲运输公司', permitId: 'p-1' }] });
    expect(again).toEqual({ ok: true, sites: 0, permits: 1, trucks: 1 });
    expect((await getMuckPermit(store.db, 'p-1'))?.status).toBe('suspended');
    expect(await listMuckTrucks(store.db, { permitId: 'p-1' })).toHaveLength(2);
  });

  it('refuses the whole document with every error by place, writing nothing', async () => {
    const r = await importMuckChain(store, {
      sites: [{ id: 'ex-2', kind: 'excavation', name: '新工地', geometry: { type: 'Point', coordinates: [106.5, 29.5] } }, { id: 'bad', kind: 'quarry', name: 'x', geometry: { type: 'Point', coordinates: [106.5, 29.5] } }],
      permits: [{ ...doc.permits[0], id: 'p-2', number: 'N2', route: { type: 'LineString', coordinates: [[106.5, 29.5]] } }],
      trucks: [{ plate: '渝A1234', company: 'x' }, { plate: '渝A55555', company: 'x' }, { plate: '渝A·55555', company: 'y' }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.path, e.index])).toEqual([['sites/1', 1], ['permits/0', 0], ['trucks/0', 0], ['trucks/2', 2]]);
    expect(r.errors[0]!.reason).toMatch(/kind must be excavation or disposal/);
    expect(r.errors[1]!.reason).toMatch(/invalid route: line has fewer than 2 positions/);
    expect(r.errors[2]!.reason).toMatch(/not a Chinese civil plate/);
    expect(r.errors[3]!.reason).toBe('plate 渝A55555 already given at trucks/1');
    expect(await getMuckSite(store.db, 'ex-2')).toBeUndefined();
  });

  it('checks references against the document and the store', async () => {
    const r = await importMuckChain(store, {
      sites: [{ id: 'dis-1', kind: 'excavation', name: '改为工地', geometry: { type: 'Point', coordinates: [106.455, 29.492] } }],
      permits: [
        { ...doc.permits[0], id: 'p-3', number: 'N3', excavationSiteId: 'nowhere' },
        { ...doc.permits[0], id: 'p-4', number: '渝中渣准〔2026〕0001号' },
      ],
      trucks: [{ plate: '渝A66666', company: 'x', permitId: 'p-404' }],
    });
    if (r.ok) throw new Error('accepted');
    expect(r.errors.map((e) => `${e.path}: ${e.reason}`)).toEqual([
      'sites/0: site dis-1 cannot become an excavation site: stored permit 渝中渣准〔2026〕0001号 uses it as its disposal site',
      'permits/0: excavationSiteId nowhere: no such site',
      'permits/0: disposalSiteId dis-1 is an excavation site, not a disposal site',
      'permits/1: disposalSiteId dis-1 is an excavation site, not a disposal site',
      'permits/1: permit number 渝中渣准〔2026〕0001号 belongs to stored permit p-1',
      'trucks/0: permitId p-404: no such permit',
    ]);
    // A dry run checks against the store and writes nothing.
    expect(await importMuckChain(store, { sites: [{ id: 'ex-9', kind: 'excavation', name: '试', geometry: { type: 'Point', coordinates: [106.5, 29.5] } }] }, { dryRun: true })).toEqual({ ok: true, sites: 1, permits: 0, trucks: 0 });
    expect(await getMuckSite(store.db, 'ex-9')).toBeUndefined();
  });

  it('imports a FeatureCollection, converting WGS-84 when the document says so', async () => {
    const fc = {
      type: 'FeatureCollection',
      crs: 'wgs84',
      features: [
        { type: 'Feature', id: 'ex-fc', properties: { kind: 'excavation', name: '要素工地' }, geometry: { type: 'Point', coordinates: [106.5, 29.5] } },
        { type: 'Feature', properties: { kind: 'permit', id: 'p-fc', number: 'FC-1', company: '丙', excavation_site_id: 'ex-fc', disposal_site_id: 'dis-1', valid_from: '2026-01-01T00:00:00+08:00', valid_to: '2027-01-01T00:00:00+08:00', lanes: 2 }, geometry: { type: 'LineString', coordinates: [[106.5, 29.5], [106.46, 29.49]] } },
        { type: 'Feature', properties: { kind: 'truck', plate: '渝B12345D', company: '丙', permit_id: 'p-fc' }, geometry: null },
        { type: 'Feature', properties: { kind: 'boat' }, geometry: null },
      ],
    };
    const refused = await importMuckChain(store, fc);
    expect(refused).toEqual({ ok: false, errors: [{ path: 'features/3', index: 3, reason: 'properties.kind must be excavation, disposal, permit or truck' }] });
    fc.features.pop();
    expect(await importMuckChain(store, fc)).toEqual({ ok: true, sites: 1, permits: 1, trucks: 1 });
    const site = await getMuckSite(store.db, 'ex-fc');
    expect(site?.geometry.coordinates).toEqual(wgs84ToGcj02(106.5, 29.5));
    expect(await getMuckPermit(store.db, 'p-fc')).toMatchObject({ validFrom: '2025-12-31T16:00:00.000Z', properties: { lanes: 2 } });
    expect(await getMuckTruck(store.db, '渝B12345D')).toMatchObject({ permitId: 'p-fc' });
    expect(await importMuckChain(store, { type: 'FeatureCollection' })).toMatchObject({ ok: false, errors: [{ path: '', index: -1 }] });
    expect(await importMuckChain(store, { sites: [], lorries: [] })).toMatchObject({ ok: false, errors: [{ reason: expect.stringMatching(/unknown member "lorries"/) }] });
  });

  it('holds the chain in memory for enrichment and reloads it after an import', async () => {
    const registry = new MuckRegistry(store);
    expect(registry.lookup().truck('渝A73521')).toBeUndefined();
    await registry.reload();
    const e = enrichCameraEvent(event(), { lon: 106.53, lat: 29.5401 }, registry.lookup());
    expect(e).toMatchObject({ truck: { plate: '渝A73521' }, permit: { id: 'p-1', status: 'suspended' }, excavationSite: { id: 'ex-1' }, disposalSite: { id: 'dis-1' }, flags: ['permit_suspended'] });
    expect(await registry.import({ permits: [{ ...doc.permits[0], status: 'active' }] })).toMatchObject({ ok: true });
    expect(enrichCameraEvent(event(), { lon: 106.53, lat: 29.5401 }, registry.lookup()).flags).toEqual([]);
  });

  it('records camera events once and lists them newest first, page by page', async () => {
    const registry = new MuckRegistry(store);
    await registry.reload();
    const enrich = (ev: CameraEvent) => enrichCameraEvent(ev, { lon: 106.53, lat: 29.5401 }, registry.lookup());
    const first = event();
    const r1 = await store.transact((tx) => recordCameraEvent(tx, first, enrich(first), null));
    expect(r1.inserted).toBe(true);
    // The same message delivered again is not stored twice.
    const redelivered = event();
    expect(await store.transact((tx) => recordCameraEvent(tx, redelivered, enrich(redelivered), null))).toEqual({ id: r1.id, inserted: false });
    expect(await hasCameraEvent(store.db, r1.id)).toBe(true);
    for (let i = 1; i <= 4; i++) {
      const ev = event({ at: `2026-03-02T01:2${8 - i}:00Z`, plate: i % 2 ? '渝A8Q602' : '渝A73521', cameraId: i === 4 ? 'cam-2' : 'cam-1' });
      await store.transact((tx) => recordCameraEvent(tx, ev, enrich(ev), i === 2 ? 'alert-1' : null));
    }
    await store.transact((tx) => setCameraEventAlert(tx, r1.id, 'alert-1'));

    const all = await listCameraEvents(store.db, { from: '2026-03-02T01:21:00Z' });
    expect(all.items.map((e) => e.at)).toEqual(['2026-03-02T01:28:00.000Z', '2026-03-02T01:27:00.000Z', '2026-03-02T01:26:00.000Z', '2026-03-02T01:25:00.000Z', '2026-03-02T01:24:00.000Z']);
    expect(all.next).toBeNull();
    expect(all.items[0]).toMatchObject({ id: r1.id, cameraId: 'cam-1', eventType: '渣土车撒漏', plate: '渝A73521', confidence: 0.9, snapshotSha256: null, receivedAt: '2026-03-02T01:30:00.000Z', alertId: 'alert-1', enrichment: { truck: { plate: '渝A73521' } } });
    expect(all.items[0]!.observed).toEqual({ eventTypeRaw: 'muck_spill', plateText: '渝A73521', plateStatus: 'read', bbox: null, vendorEventId: null, snapshotMediaType: null });
    expect(all.items[0]!.enrichment).not.toHaveProperty('observed');
    // A misread plate is kept as read, with the box, for whoever looks at the evidence.
    const misread = event({ plate: '渝A7352', bbox: [1, 2, 3, 4], eventId: 'v-1', at: '2026-03-02T01:20:00Z' });
    const m = await store.transact((tx) => recordCameraEvent(tx, misread, enrich(misread), null));
    expect((await getCameraEvent(store.db, m.id))?.observed).toEqual({ eventTypeRaw: 'muck_spill', plateText: '渝A7352', plateStatus: 'unreadable', bbox: { x: 1, y: 2, w: 3, h: 4 }, vendorEventId: 'v-1', snapshotMediaType: null });
    expect((await getCameraEvent(store.db, m.id))?.enrichment.flags).toEqual(['plate_unreadable']);
    expect((await listCameraEvents(store.db, { plate: '渝A8Q602' })).items).toHaveLength(2);
    expect((await listCameraEvents(store.db, { cameraId: 'cam-2' })).items).toHaveLength(1);
    expect((await listCameraEvents(store.db, { alertId: 'alert-1' })).items).toHaveLength(2);
    expect((await listCameraEvents(store.db, { eventType: '渣土车撒漏', from: '2026-03-02T01:25:00.000Z', to: '2026-03-02T01:28:00.000Z' })).items).toHaveLength(3);

    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listCameraEvents(store.db, { limit: 2, from: '2026-03-02T01:21:00Z', ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((e) => e.at.slice(14, 16)).join(','));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(pages).toEqual(['28,27', '26,25', '24']);
    await expect(listCameraEvents(store.db, { cursor: 'nonsense' })).rejects.toThrow(/cursor/);
    expect(await getCameraEvent(store.db, r1.id)).toEqual(all.items[0]);
  });
});
