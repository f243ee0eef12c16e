/**
 * Generated assets for the demo city: the places of the seed's scenes (国宾医院 and its water
 * main, 太平洋广场's emergency water point, 南开下穿道 with its gauge and signals, forest and
 * villages) plus a plausible water network and manholes across the central districts.
 *
 * Positions of named places are approximate GCJ-02 coordinates from general knowledge of the
 * city, good to a few hundred metres — enough for a demo map, not for dispatch. The mains are a
 * jittered lattice, not the real network. Everything is marked generated. Deterministic: a
 * district's assets depend only on that district (its own seed), not on which others are loaded.
 */
import { unitIdOf } from './demo-ids.ts';
import { geometryBBox, interiorPoint, METERS_PER_DEGREE, type Position, type Ring } from '../../../src/geo/geometry.ts';
import type { JurisdictionResolver } from '../../../src/geo/resolver.ts';
import { createRandom, hashSeed, type Random } from '../../../src/geo/seeded-random.ts';
import type { AssetGeometry, AssetRecord, AssetType } from '../../../src/assets/asset.ts';
import { representativePoint } from '../../../src/assets/asset-geometry.ts';

/** Test and scene points (GCJ-02 [lng, lat]). */
export const DEMO_POINTS = Object.freeze({
  /** 国宾医院 (渝中区, 嘉西村): a DN300 main passes 15 m away — a district-level burst. */
  guobinHospital: [106.5455, 29.5635] as const,
  /** On 长江二路 in 渝中区, 5 m from the DN800 trunk main: a city-level burst. */
  trunkMainBurst: [106.5355, 29.5478] as const,
  /** 解放碑; a DN200 main passes 20 m away (the README's burst example is here). */
  jiefangbei: [106.577, 29.557] as const,
  /** 太平洋广场 at 上清寺, ~570 m from 国宾医院: where the seed's fire brigade supplies water. */
  pacificSquare: [106.5512, 29.5648] as const,
  /** The middle of 南开下穿道 (沙坪坝区), where its water-level gauge sits. */
  nankaiUnderpass: [106.464, 29.553] as const,
  sanxiaSquare: [106.4566, 29.5577] as const,
  /** Inside the 南山 forest area (南岸区). */
  nanshanForestFire: [106.627, 29.553] as const,
  /** A manhole near 解放碑 owned by the district's urban-management bureau. */
  ownedManhole: [106.578, 29.5575] as const,
  /** A manhole near 解放碑 whose owner is unknown. */
  unownedManhole: [106.5758, 29.5562] as const,
});

/** The nine central districts (主城九区): 渝中 大渡口 江北 沙坪坝 九龙坡 南岸 北碚 渝北 巴南. */
export const CENTRAL_DISTRICTS: readonly string[] = ['500103', '500104', '500105', '500106', '500107', '500108', '500109', '500112', '500113'];

/** The built-up core where the lattice of mains is laid (the central districts reach far beyond it). */
const URBAN_BOX = { minX: 106.35, minY: 29.35, maxX: 106.75, maxY: 29.75 } as const;
/** Lattice spacing in metres: denser in the old core. */
const SPACING: Readonly<Record<string, number>> = { '500103': 200 };
const DEFAULT_SPACING = 350;
/** Every 5th lattice row and column is a trunk line (DN ≥ 500): trunk mains are the minority. */
const TRUNK_EVERY = 5;
const DISTRIBUTION_DIAMETERS = [150, 200, 300, 400] as const;
const DISTRIBUTION_WEIGHTS = [0.3, 0.35, 0.25, 0.1] as const;
const TRUNK_DIAMETERS = [600, 800, 1000] as const;
const TRUNK_WEIGHTS = [0.5, 0.35, 0.15] as const;
/** No lattice main comes this close to the scene points, so the hand-laid main is the nearest. */
const CLEAR_METERS = 150;
/** Across the river too: 江北's lattice reaches the 嘉陵江 bank opposite 国宾医院. */
const CLEAR_POINTS = [DEMO_POINTS.guobinHospital, DEMO_POINTS.trunkMainBurst, DEMO_POINTS.jiefangbei];
/** No lattice manhole comes this close to the two demo manholes. */
const MANHOLE_CLEAR_METERS = 60;
/** Reference latitude for lattice spacing in degrees (the middle of the urban box). */
const LATTICE_LAT = 29.55;

const MANHOLE_OWNERS: readonly { kind: string | null; name: string; weight: number }[] = [
  { kind: 'water-supply', name: '给水阀门井', weight: 0.35 },
  { kind: 'urban-management', name: '雨水检查井', weight: 0.35 },
  { kind: 'power-supply', name: '电力检查井', weight: 0.15 },
  { kind: null, name: '窨井盖（权属待查）', weight: 0.15 },
];

export interface DemoAssetOptions {
  /** Only these district codes (those the resolver lacks are ignored). */
  districts?: string[];
}

interface Draft {
  id: string;
  type: AssetType;
  name: string;
  geometry: AssetGeometry;
  properties?: Record<string, unknown>;
  unitId?: string | null;
}

function pick<T>(random: Random, values: readonly T[], weights: readonly number[]): T {
  let u = random();
  for (let i = 0; i < values.length; i++) {
    u -= weights[i]!;
    if (u < 0) return values[i]!;
  }
  return values[values.length - 1]!;
}

const point = (p: readonly [number, number]): AssetGeometry => ({ type: 'Point', coordinates: [p[0], p[1]] });

/** Offsets a position by metres east and north. */
function offset(p: readonly [number, number], east: number, north: number): Position {
  const kx = METERS_PER_DEGREE * Math.cos((p[1] * Math.PI) / 180);
  return [p[0] + east / kx, p[1] + north / METERS_PER_DEGREE];
}

/** A rectangle centred on p, `width` × `height` metres, as a closed ring. */
function rectangle(p: readonly [number, number], width: number, height: number): Ring {
  const a = offset(p, -width / 2, -height / 2), b = offset(p, width / 2, height / 2);
  return [[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]], [a[0], a[1]]];
}

/** An irregular star-shaped ring around p (radii between 75 % and 100 % of `radius`): always simple. */
function blob(random: Random, p: readonly [number, number], radius: number, vertices: number): Ring {
  const ring: Ring = [];
  for (let k = 0; k < vertices; k++) {
    const angle = (k / vertices) * 2 * Math.PI;
    const r = radius * (0.75 + 0.25 * random());
    ring.push(offset(p, Math.cos(angle) * r, Math.sin(angle) * r));
  }
  ring.push([ring[0]![0], ring[0]![1]]);
  return ring;
}

/** Planar distance in metres from p to segment a–b (cos(latitude) scaled). */
function distanceToSegmentMeters(p: readonly [number, number], a: Position, b: Position): number {
  const kx = METERS_PER_DEGREE * Math.cos((p[1] * Math.PI) / 180);
  const ax = (a[0] - p[0]) * kx, ay = (a[1] - p[1]) * METERS_PER_DEGREE;
  const bx = (b[0] - p[0]) * kx, by = (b[1] - p[1]) * METERS_PER_DEGREE;
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0;
  return Math.hypot(ax + t * dx, ay + t * dy);
}

function distanceMeters(p: readonly [number, number], q: readonly [number, number]): number {
  return distanceToSegmentMeters(p, [q[0], q[1]], [q[0], q[1]]);
}

/** The hand-placed assets of one district, by scene. */
function namedAssets(code: string, random: Random): Draft[] {
  const P = DEMO_POINTS;
  switch (code) {
    case '500103': {
      const water = unitIdOf(code, 'water-supply');
      return [
        { id: 'demo-place-guobin-hospital', type: 'place', name: '国宾医院', geometry: point(P.guobinHospital), properties: { kind: 'hospital' } },
        {
          id: 'demo-place-jiaxicun',
          type: 'place',
          name: '嘉西村社区',
          geometry: { type: 'Polygon', coordinates: [rectangle(offset(P.guobinHospital, 20, -60), 400, 200)] },
          properties: { kind: 'community' },
        },
        {
          id: 'demo-wm-500103-beiqulu',
          type: 'water_main',
          name: '北区路配水管 DN300',
          geometry: { type: 'LineString', coordinates: [offset(P.guobinHospital, -440, -90), offset(P.guobinHospital, 0, -14.5), offset(P.guobinHospital, 440, -130)] },
          properties: { diameter_mm: 300, material: '球墨铸铁' },
          unitId: water,
        },
        {
          id: 'demo-wm-500103-changjiang-2',
          type: 'water_main',
          name: '长江二路输水干管 DN800',
          geometry: { type: 'LineString', coordinates: [[106.516, 29.5395], [106.529, 29.5445], [106.542, 29.551], [106.553, 29.5555]] },
          properties: { diameter_mm: 800, material: '钢管' },
          unitId: water,
        },
        {
          id: 'demo-wm-500103-minzulu',
          type: 'water_main',
          name: '民族路配水管 DN200',
          geometry: { type: 'LineString', coordinates: [offset(P.jiefangbei, -260, 60), offset(P.jiefangbei, 0, 20), offset(P.jiefangbei, 300, -10)] },
          properties: { diameter_mm: 200, material: '球墨铸铁' },
          unitId: water,
        },
        { id: 'demo-sensor-pressure-yz-01', type: 'sensor', name: '长江二路干管压力监测点', geometry: point(offset(P.trunkMainBurst, 20, -5)), properties: { device_id: 'pressure-yz-01', sensor_kind: 'pressure' }, unitId: water },
        { id: 'demo-place-jiefangbei', type: 'place', name: '解放碑', geometry: point(P.jiefangbei), properties: { kind: 'square' } },
        { id: 'demo-place-pacific-square', type: 'place', name: '太平洋广场', geometry: point(P.pacificSquare), properties: { kind: 'square' } },
        { id: 'demo-water-point-pacific-square', type: 'water_point', name: '太平洋广场应急供水点', geometry: point(offset(P.pacificSquare, -20, -15)), unitId: water },
        { id: 'demo-place-renmin-square', type: 'place', name: '人民广场', geometry: point([106.5505, 29.5625]), properties: { kind: 'square' } },
        { id: 'demo-place-bashu-school', type: 'place', name: '巴蜀中学', geometry: point([106.5585, 29.5615]), properties: { kind: 'school' } },
        { id: 'demo-place-cqmu-second-hospital', type: 'place', name: '重庆医科大学附属第二医院', geometry: point([106.573, 29.5605]), properties: { kind: 'hospital' } },
        { id: 'demo-camera-jiefangbei-01', type: 'camera', name: '解放碑视频监控', geometry: point(offset(P.jiefangbei, 15, 10)), properties: { device_id: 'cam-jiefangbei-01' }, unitId: unitIdOf(code, 'public-security') },
        { id: 'demo-camera-pacific-01', type: 'camera', name: '太平洋广场视频监控', geometry: point(offset(P.pacificSquare, 10, 12)), properties: { device_id: 'cam-pacific-01' }, unitId: unitIdOf(code, 'public-security') },
        { id: 'demo-camera-renmin-01', type: 'camera', name: '人民广场视频监控', geometry: point([106.5502, 29.5628]), properties: { device_id: 'cam-renmin-01' }, unitId: unitIdOf(code, 'public-security') },
        { id: 'demo-signal-jiefangbei-01', type: 'traffic_signal', name: '民族路口信号灯', geometry: point(offset(P.jiefangbei, 120, -40)), properties: { device_id: 'signal-jiefangbei-01' }, unitId: unitIdOf(code, 'traffic-police') },
        { id: 'demo-manhole-jiefangbei-owned', type: 'manhole', name: '雨水检查井', geometry: point(P.ownedManhole), properties: { owner_kind: 'urban-management' }, unitId: unitIdOf(code, 'urban-management') },
        { id: 'demo-manhole-jiefangbei-unowned', type: 'manhole', name: '窨井盖（权属待查）', geometry: point(P.unownedManhole) },
        { id: 'demo-tunnel-xiangyang', type: 'tunnel', name: '向阳隧道', geometry: point([106.581, 29.556]), unitId: unitIdOf(code, 'urban-management') },
        // What a flood report names besides places: a road under water and a substation (generated positions).
        { id: 'demo-road-minzu', type: 'road', name: '民族路', geometry: { type: 'LineString', coordinates: [[106.5752, 29.5574], [106.5771, 29.5568], [106.5795, 29.556]] }, properties: { road_class: 'secondary' }, unitId: unitIdOf(code, 'urban-management') },
        { id: 'demo-substation-jiefangbei', type: 'substation', name: '解放碑片区变电站（演示）', geometry: point([106.5746, 29.5556]), properties: { voltage_kv: 110 }, unitId: unitIdOf(code, 'power-supply') },
      ];
    }
    case '500106': {
      const U = P.nankaiUnderpass;
      const police = unitIdOf(code, 'traffic-police');
      // The underpass runs north–south, 160 m long and 16 m wide; a signal stands 25 m beyond each end.
      return [
        { id: 'demo-place-sanxia-square', type: 'place', name: '三峡广场', geometry: point(P.sanxiaSquare), properties: { kind: 'square' } },
        { id: 'demo-camera-sanxia-01', type: 'camera', name: '三峡广场视频监控', geometry: point(offset(P.sanxiaSquare, 12, 8)), properties: { device_id: 'cam-sanxia-01' }, unitId: unitIdOf(code, 'public-security') },
        { id: 'demo-water-point-sanxia-square', type: 'water_point', name: '三峡广场应急供水点', geometry: point(offset(P.sanxiaSquare, -25, -10)), unitId: unitIdOf(code, 'water-supply') },
        { id: 'demo-signal-sanxia-01', type: 'traffic_signal', name: '三峡广场路口信号灯', geometry: point(offset(P.sanxiaSquare, 90, 60)), properties: { device_id: 'signal-sanxia-01' }, unitId: police },
        {
          id: 'demo-underpass-nankai',
          type: 'underpass',
          name: '南开下穿道',
          geometry: { type: 'Polygon', coordinates: [rectangle(U, 16, 160)] },
          properties: { limit_m: 0.5 },
          unitId: unitIdOf(code, 'urban-management'),
        },
        { id: 'demo-sensor-gauge-nankai-01', type: 'sensor', name: '南开下穿道积水监测', geometry: point(U), properties: { device_id: 'gauge-nankai-01', sensor_kind: 'water_level' }, unitId: unitIdOf(code, 'urban-management') },
        { id: 'demo-camera-nankai-01', type: 'camera', name: '南开下穿道视频监控', geometry: point(offset(U, 12, 70)), properties: { device_id: 'cam-nankai-01' }, unitId: police },
        { id: 'demo-signal-nankai-n', type: 'traffic_signal', name: '南开下穿道北口信号灯', geometry: point(offset(U, 0, 105)), properties: { device_id: 'signal-nankai-n' }, unitId: police },
        { id: 'demo-signal-nankai-s', type: 'traffic_signal', name: '南开下穿道南口信号灯', geometry: point(offset(U, 0, -105)), properties: { device_id: 'signal-nankai-s' }, unitId: police },
        { id: 'demo-place-nankai-school', type: 'place', name: '南开中学', geometry: point([106.462, 29.5512]), properties: { kind: 'school' } },
        { id: 'demo-place-xinan-hospital', type: 'place', name: '陆军军医大学第一附属医院（西南医院）', geometry: point([106.456, 29.541]), properties: { kind: 'hospital' } },
      ];
    }
    case '500108':
      return [
        { id: 'demo-place-nanping-square', type: 'place', name: '南坪步行街', geometry: point([106.569, 29.53]), properties: { kind: 'square' } },
        { id: 'demo-camera-nanping-01', type: 'camera', name: '南坪步行街视频监控', geometry: point([106.5694, 29.5302]), properties: { device_id: 'cam-nanping-01' }, unitId: unitIdOf(code, 'public-security') },
        { id: 'demo-water-point-nanping', type: 'water_point', name: '南坪应急供水点', geometry: point([106.5686, 29.5297]), unitId: unitIdOf(code, 'water-supply') },
        // Its middle is over the Yangtze, nearer the 南岸 bank: the district that files it.
        {
          id: 'demo-bridge-caiyuanba',
          type: 'bridge',
          name: '菜园坝长江大桥',
          geometry: { type: 'LineString', coordinates: [[106.544, 29.5468], [106.548, 29.54], [106.552, 29.5335]] },
          unitId: unitIdOf(code, 'urban-management'),
        },
        { id: 'demo-place-fifth-hospital', type: 'place', name: '重庆市第五人民医院', geometry: point([106.565, 29.525]), properties: { kind: 'hospital' } },
        { id: 'demo-place-nanshan-forest', type: 'place', name: '南山森林公园', geometry: { type: 'Polygon', coordinates: [blob(random, [106.625, 29.555], 1800, 14)] }, properties: { kind: 'forest' }, unitId: unitIdOf(code, 'forestry') },
        { id: 'demo-sensor-fire-nanshan-01', type: 'sensor', name: '南山林区火情监测', geometry: point(offset(P.nanshanForestFire, 200, 150)), properties: { device_id: 'fire-nanshan-01', sensor_kind: 'fire' }, unitId: unitIdOf(code, 'forestry') },
      ];
    case '500105':
      return [
        { id: 'demo-place-guanyinqiao', type: 'place', name: '观音桥步行街', geometry: point([106.531, 29.575]), properties: { kind: 'square' } },
        { id: 'demo-camera-guanyinqiao-01', type: 'camera', name: '观音桥视频监控', geometry: point([106.5314, 29.5752]), properties: { device_id: 'cam-guanyinqiao-01' }, unitId: unitIdOf(code, 'public-security') },
      ];
    case '500107':
      return [
        { id: 'demo-place-yangjiaping', type: 'place', name: '杨家坪步行街', geometry: point([106.513, 29.504]), properties: { kind: 'square' } },
        { id: 'demo-camera-yangjiaping-01', type: 'camera', name: '杨家坪视频监控', geometry: point([106.5134, 29.5042]), properties: { device_id: 'cam-yangjiaping-01' }, unitId: unitIdOf(code, 'public-security') },
      ];
    case '500109':
      return [
        { id: 'demo-place-jinyun-forest', type: 'place', name: '缙云山林区', geometry: { type: 'Polygon', coordinates: [blob(random, [106.385, 29.835], 2500, 16)] }, properties: { kind: 'forest' }, unitId: unitIdOf(code, 'forestry') },
      ];
    case '500119':
      return [
        { id: 'demo-place-jinfo-forest', type: 'place', name: '金佛山林区', geometry: { type: 'Polygon', coordinates: [blob(random, [107.19, 29.05], 4000, 18)] }, properties: { kind: 'forest' }, unitId: unitIdOf(code, 'forestry') },
      ];
    default:
      return [];
  }
}

/**
 * Villages near a district's forest areas: the district's generated communities named …村 within
 * 8 km of the forest, each a point inside it, at most 20 — so a forest-fire plan finds some.
 */
function villagesNear(resolver: JurisdictionResolver, code: string, forests: readonly Draft[]): Draft[] {
  if (forests.length === 0) return [];
  const centres = forests.map((f) => representativePoint(f.geometry));
  const found: { draft: Draft; d: number }[] = [];
  for (const street of resolver.childrenOf(code)) {
    for (const community of resolver.childrenOf(street.code)) {
      if (!community.name.endsWith('村') || !community.geometry) continue;
      const p = interiorPoint(community.geometry);
      const d = Math.min(...centres.map((c) => distanceMeters(c, p)));
      if (d > 8000) continue;
      found.push({ draft: { id: `demo-place-village-${community.code}`, type: 'place', name: community.name, geometry: point(p), properties: { kind: 'village' } }, d });
    }
  }
  found.sort((a, b) => a.d - b.d || (a.draft.id < b.draft.id ? -1 : 1));
  return found.slice(0, 20).map((f) => f.draft);
}

/**
 * A jittered lattice of mains over the part of a central district inside the urban box: each
 * edge between neighbouring nodes inside the district is one main of 2 segments; every
 * TRUNK_EVERY-th row and column carries a trunk main. Manholes sit on some nodes (valves and
 * inspection chambers are at junctions).
 */
function latticeAssets(resolver: JurisdictionResolver, code: string, districtName: string, random: Random, clear: readonly (readonly [number, number])[]): Draft[] {
  const district = resolver.get(code);
  if (!district?.geometry) return [];
  const bbox = geometryBBox(district.geometry);
  const minX = Math.max(bbox[0], URBAN_BOX.minX), minY = Math.max(bbox[1], URBAN_BOX.minY);
  const maxX = Math.min(bbox[2], URBAN_BOX.maxX), maxY = Math.min(bbox[3], URBAN_BOX.maxY);
  if (minX >= maxX || minY >= maxY) return [];
  const spacing = SPACING[code] ?? DEFAULT_SPACING;
  const sy = spacing / METERS_PER_DEGREE;
  const sx = spacing / (METERS_PER_DEGREE * Math.cos((LATTICE_LAT * Math.PI) / 180));
  // Lattice indices are counted from a fixed origin so that node positions never depend on the box.
  const i0 = Math.floor((minX - URBAN_BOX.minX) / sx), i1 = Math.ceil((maxX - URBAN_BOX.minX) / sx);
  const j0 = Math.floor((minY - URBAN_BOX.minY) / sy), j1 = Math.ceil((maxY - URBAN_BOX.minY) / sy);
  const ni = i1 - i0 + 1, nj = j1 - j0 + 1;
  const xs = new Float64Array(ni * nj);
  const ys = new Float64Array(ni * nj);
  const inside = new Uint8Array(ni * nj);
  for (let a = 0; a < ni; a++) {
    for (let b = 0; b < nj; b++) {
      const k = a * nj + b;
      xs[k] = URBAN_BOX.minX + (i0 + a + (random() - 0.5) * 0.5) * sx;
      ys[k] = URBAN_BOX.minY + (j0 + b + (random() - 0.5) * 0.5) * sy;
      inside[k] = resolver.containsPoint(code, xs[k]!, ys[k]!) ? 1 : 0;
    }
  }
  const water = unitIdOf(code, 'water-supply');
  const drafts: Draft[] = [];
  let mains = 0;
  const addMain = (k: number, m: number, trunk: boolean): void => {
    // Drawn before any test so that the sequence of random numbers does not depend on outcomes.
    const bend = (random() - 0.5) * 0.1 * spacing;
    const diameter = trunk ? pick(random, TRUNK_DIAMETERS, TRUNK_WEIGHTS) : pick(random, DISTRIBUTION_DIAMETERS, DISTRIBUTION_WEIGHTS);
    const ductile = random() < 0.8;
    if (!inside[k] || !inside[m]) return;
    const a: Position = [xs[k]!, ys[k]!], b: Position = [xs[m]!, ys[m]!];
    const kx = METERS_PER_DEGREE * Math.cos((a[1] * Math.PI) / 180);
    const ex = (b[0] - a[0]) * kx, ey = (b[1] - a[1]) * METERS_PER_DEGREE;
    const len = Math.hypot(ex, ey) || 1;
    const mid = offset([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], (-ey / len) * bend, (ex / len) * bend);
    if (!resolver.containsPoint(code, mid[0], mid[1])) return;
    if (clear.some((p) => distanceToSegmentMeters(p, a, mid) < CLEAR_METERS || distanceToSegmentMeters(p, mid, b) < CLEAR_METERS)) return;
    mains++;
    drafts.push({
      id: `demo-wm-${code}-${String(mains).padStart(5, '0')}`,
      type: 'water_main',
      name: `${districtName}${trunk ? '输水干管' : '配水管'} DN${diameter} 第${mains}段`,
      geometry: { type: 'LineString', coordinates: [a, mid, b] },
      properties: { diameter_mm: diameter, material: diameter >= 600 && !ductile ? '钢管' : diameter <= 150 && !ductile ? 'PE管' : '球墨铸铁' },
      unitId: water,
    });
  };
  for (let a = 0; a < ni; a++) {
    for (let b = 0; b < nj; b++) {
      const k = a * nj + b;
      if (a + 1 < ni) addMain(k, k + nj, (j0 + b) % TRUNK_EVERY === 0);
      if (b + 1 < nj) addMain(k, k + 1, (i0 + a) % TRUNK_EVERY === 0);
    }
  }
  const manholeShare = code === '500103' ? 0.25 : 0.08;
  let manholes = 0;
  for (let k = 0; k < ni * nj; k++) {
    const take = random() < manholeShare;
    const owner = pick(random, MANHOLE_OWNERS, MANHOLE_OWNERS.map((o) => o.weight));
    if (!take || !inside[k]) continue;
    const p: [number, number] = [xs[k]!, ys[k]!];
    if (distanceMeters(DEMO_POINTS.ownedManhole, p) < MANHOLE_CLEAR_METERS || distanceMeters(DEMO_POINTS.unownedManhole, p) < MANHOLE_CLEAR_METERS) continue;
    manholes++;
    drafts.push({
      id: `demo-manhole-${code}-${String(manholes).padStart(5, '0')}`,
      type: 'manhole',
      name: owner.name,
      geometry: point(p),
      properties: owner.kind ? { owner_kind: owner.kind } : {},
      unitId: owner.kind ? unitIdOf(code, owner.kind) : null,
    });
  }
  return drafts;
}

/**
 * The demo assets of the districts the resolver holds (optionally only `opts.districts`), in
 * district-code order. A hand-placed asset whose approximate position falls outside its
 * intended district is left out rather than filed under a neighbour.
 */
export function generateDemoAssets(resolver: JurisdictionResolver, opts: DemoAssetOptions = {}): AssetRecord[] {
  const wanted = opts.districts ? new Set(opts.districts) : null;
  const districts = resolver.list('district').filter((d) => !wanted || wanted.has(d.code));
  const records: AssetRecord[] = [];
  for (const district of districts) {
    const code = district.code;
    const random = createRandom(hashSeed(`demo-assets:${code}`));
    const named = namedAssets(code, random);
    const forests = named.filter((d) => d.type === 'place' && d.properties?.['kind'] === 'forest');
    const drafts = [
      ...named,
      ...villagesNear(resolver, code, forests),
      ...(CENTRAL_DISTRICTS.includes(code) ? latticeAssets(resolver, code, district.name, random, CLEAR_POINTS) : []),
    ];
    for (const d of drafts) {
      const [x, y] = representativePoint(d.geometry);
      const placed = resolver.resolve(x, y)?.chain.find((l) => l.level === 'district')?.code;
      if (placed !== code) continue;
      records.push({
        id: d.id,
        type: d.type,
        name: d.name,
        geometry: d.geometry,
        properties: { ...d.properties, generated: true },
        unitId: d.unitId ?? null,
        jurisdictionCode: code,
        generated: true,
      });
    }
  }
  return records;
}
