/**
 * The demo city's devices (generated, like the demo assets they watch): the seed's gauges, meters,
 * detectors, cameras and signals from the asset layer, plus a pressure meter on every trunk main,
 * a monitor on every bridge and tunnel, a traffic counter at every signal, gas detectors at public
 * places, a forest-fire detector in each forest area and in 云阳 (the simulator's fire), and the
 * 北碚 air-quality station whose real series the simulator replays. Their MQTT secrets are derived from the
 * id with a public recipe (`demoDeviceSecret`), so the simulator can log in: demo only, like the
 * demo users' password.
 */
import { createHash } from 'node:crypto';
import type { AssetRecord, AssetType } from '../../../src/assets/asset.ts';
import { AssetIndex } from '../../../src/assets/asset-index.ts';
import type { JurisdictionResolver } from '../../../src/geo/resolver.ts';
import type { DeviceTable } from '../../../src/store/schema.ts';
import { unitIdOf } from './demo-ids.ts';

export function demoDeviceSecret(id: string): string {
  return createHash('sha256').update(`cityloop-demo-device:${id}`).digest('base64url').slice(0, 32);
}

const KIND_TO_TYPE: Record<string, string> = { water_level: 'water_gauge', pressure: 'water_pressure', fire: 'fire_detector', gas: 'gas_detector' };
const MAX_TRUNK_METERS = 400;

function pointOf(a: AssetRecord): [number, number] {
  let c: unknown = a.geometry.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  const p = c as number[];
  return [p[0]!, p[1]!];
}

function middleOf(a: AssetRecord): [number, number] {
  const g = a.geometry;
  if (g.type === 'LineString') return g.coordinates[Math.floor(g.coordinates.length / 2)] as [number, number];
  return pointOf(a);
}

export function demoDevices(assets: readonly AssetRecord[], resolver: JurisdictionResolver, now: string): DeviceTable[] {
  const rows: DeviceTable[] = [];
  const seen = new Set<string>();
  const add = (d: { id: string; type: string; name: string; at: [number, number]; assetId: string | null; unitId: string | null; model?: string; thresholds?: Record<string, number> }) => {
    if (seen.has(d.id)) return;
    const r = resolver.resolve(d.at[0], d.at[1]);
    if (!r) return;
    seen.add(d.id);
    rows.push({
      id: d.id,
      type: d.type,
      model: d.model ?? null,
      name: d.name,
      lon: d.at[0],
      lat: d.at[1],
      jurisdiction_code: r.chain[r.chain.length - 1]!.code,
      district_code: r.chain.find((l) => l.level === 'district')?.code ?? null,
      asset_id: d.assetId,
      unit_id: d.unitId,
      thresholds: JSON.stringify(d.thresholds ?? {}),
      properties: JSON.stringify({ generated: true }),
      secret_hash: createHash('sha256').update(demoDeviceSecret(d.id), 'utf8').digest('hex'),
      status: 'active',
      created_at: now,
      updated_at: now,
      last_seen_at: null,
    });
  };
  const ofType = (t: string) => assets.filter((a) => a.type === t);
  // What a sensor watches: the nearest asset of a type, measured to its segments (a meter beside a
  // long main may be far from every vertex of it), as plans measure.
  const index = AssetIndex.build(assets);
  const nearestOf = (t: AssetType, at: [number, number], within: number): AssetRecord | null => index.nearest(t, at[0], at[1], within)?.asset ?? null;

  // The seed's sensors, cameras and signals, as the asset layer places them.
  for (const a of assets) {
    const deviceId = a.properties.device_id;
    if (typeof deviceId !== 'string') continue;
    const at = pointOf(a);
    if (a.type === 'sensor') {
      const type = KIND_TO_TYPE[String(a.properties.sensor_kind)] ?? 'sensor';
      const watched =
        type === 'water_gauge' ? nearestOf('underpass', at, 300) : type === 'water_pressure' ? nearestOf('water_main', at, 100) : type === 'fire_detector' ? nearestOf('place', at, 3000) : null;
      add({ id: deviceId, type, name: a.name ?? deviceId, at, assetId: watched?.id ?? null, unitId: a.unitId, model: type === 'water_gauge' ? 'WLG-200 超声波液位计' : undefined });
    } else if (a.type === 'camera' || a.type === 'traffic_signal') {
      add({ id: deviceId, type: a.type, name: a.name ?? deviceId, at, assetId: a.id, unitId: a.unitId });
    }
  }
  // Every underpass without a gauge gets one (the drainage vital sign counts them).
  for (const u of ofType('underpass')) {
    if (rows.some((r) => r.asset_id === u.id && r.type === 'water_gauge')) continue;
    add({ id: `gauge-${u.id.replace(/^demo-/, '')}`, type: 'water_gauge', name: `${u.name ?? u.id}积水监测`, at: middleOf(u), assetId: u.id, unitId: u.unitId });
  }
  // A pressure-and-flow meter on each trunk main (DN ≥ 500), up to a few hundred.
  let trunks = 0;
  for (const m of ofType('water_main')) {
    if (Number(m.properties.diameter_mm) < 500 || trunks >= MAX_TRUNK_METERS) continue;
    if (rows.some((r) => r.asset_id === m.id)) continue;
    trunks += 1;
    add({ id: `pressure-${m.id.replace(/^demo-(wm-)?/, '')}`.slice(0, 64), type: 'water_pressure', name: `${m.name ?? m.id}压力流量计`, at: middleOf(m), assetId: m.id, unitId: m.unitId });
  }
  for (const b of [...ofType('bridge'), ...ofType('tunnel')]) {
    add({ id: `monitor-${b.id.replace(/^demo-/, '')}`, type: 'bridge_monitor', name: `${b.name ?? b.id}结构监测`, at: middleOf(b), assetId: b.id, unitId: b.unitId });
  }
  for (const p of ofType('place')) {
    const kind = p.properties.kind;
    if (kind === 'forest') add({ id: `fire-${p.id.replace(/^demo-place-/, '')}`, type: 'fire_detector', name: `${p.name ?? p.id}火情监测`, at: pointOf(p), assetId: p.id, unitId: p.unitId });
    else if (kind === 'hospital' || kind === 'school' || kind === 'square') add({ id: `gas-${p.id.replace(/^demo-place-/, '')}`, type: 'gas_detector', name: `${p.name ?? p.id}燃气监测`, at: pointOf(p), assetId: null, unitId: null });
  }
  // A traffic counter at every signal (the transport vital sign counts them).
  for (const sgl of ofType('traffic_signal')) {
    add({ id: `counter-${sgl.id.replace(/^demo-signal-/, '')}`, type: 'traffic_counter', name: `${sgl.name ?? sgl.id}流量检测`, at: pointOf(sgl), assetId: sgl.id, unitId: sgl.unitId });
  }
  // The 北碚 grid air-quality station whose real PM2.5 series ships in ../shared (the simulator replays it).
  const beibei = resolver.get('500109');
  const bc = beibei?.properties.centroid ?? beibei?.properties.center;
  if (Array.isArray(bc) && typeof bc[0] === 'number' && typeof bc[1] === 'number') {
    add({ id: 'aq-beibei-1483', type: 'air_quality', name: '北碚区网格化空气质量监测站 1483', at: [bc[0], bc[1] as number], assetId: null, unitId: null, model: 'grid station 1483' });
  }
  // 云阳县's forest, for the simulator's fire (the demo has no forest polygon there).
  const yunyang = resolver.get('500235');
  const c = yunyang?.properties.centroid ?? yunyang?.properties.center;
  if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
    add({ id: 'fire-yunyang-01', type: 'fire_detector', name: '云阳县林区火情监测', at: [c[0], c[1] as number], assetId: null, unitId: unitIdOf('500235', 'forestry') });
  }
  return rows;
}
