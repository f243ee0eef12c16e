/**
 * 青溪市 (Qingxi), a tiny invented city that only tests use: two districts side by side, two
 * streets each (small squares), a handful of categories and units. It proves the core runs a city
 * it was not written for: nothing here is Chongqing's, and tests run the core loop on it.
 *
 * The map (GCJ-02), west to east: 河东区 120.00–120.02, 河西区 120.02–120.04, both 30.00–30.02;
 * each district's southern street below 30.01, its northern street above.
 */
import type { CityPackManifest, DemoSeedSummary } from '../../../src/city-pack.ts';
import type { CategoryDefinition } from '../../../src/org/category-model.ts';
import type { UnitKind, UnitKindsByTier } from '../../../src/org/unit-kinds.ts';
import type { Tier } from '../../../src/org/tiers.ts';
import type { JurisdictionRecord } from '../../../src/geo/jurisdiction.ts';
import type { AreaGeometry } from '../../../src/geo/geometry.ts';
import type { Role } from '../../../src/auth/principal.ts';
import type { StoreAdapter } from '../../../src/store/store.ts';
import { GENESIS_HASH } from '../../../src/store/migrations.ts';
import { insertJurisdictions } from '../../../src/geo/jurisdiction-repository.ts';
import { categoryToRow } from '../../../src/org/category-rows.ts';
import { hashPassword } from '../../../src/auth/password.ts';
import { newId } from '../../../src/ids.ts';

export const TINY_PASSWORD = 'tiny-town';
export const centerIdOf = (code: string): string => `center-${code}`;
export const unitIdOf = (code: string, kind: string): string => `unit-${code}-${kind}`;

export const TINY_CITY = '990000';
export const HEDONG = '990101';
export const HEXI = '990102';
/** Street codes: district code + 3 digits. */
export const STREETS = { hedongSouth: '990101001', hedongNorth: '990101002', hexiSouth: '990102001', hexiNorth: '990102002' } as const;
/** A point in 河西区's northern street (柳湾街道). */
export const HEXI_NORTH_POINT: readonly [number, number] = [120.031, 30.015];
/** A point in 河东区's southern street (东门街道). */
export const HEDONG_SOUTH_POINT: readonly [number, number] = [120.005, 30.004];

const square = (w: number, s: number, e: number, n: number): AreaGeometry => ({
  type: 'Polygon',
  coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
});

const JURISDICTIONS: readonly JurisdictionRecord[] = [
  { code: TINY_CITY, parentCode: null, level: 'city', name: '青溪市', geometry: null, generated: true, properties: {} },
  { code: HEDONG, parentCode: TINY_CITY, level: 'district', name: '河东区', geometry: square(120.0, 30.0, 120.02, 30.02), generated: true, properties: {} },
  { code: HEXI, parentCode: TINY_CITY, level: 'district', name: '河西区', geometry: square(120.02, 30.0, 120.04, 30.02), generated: true, properties: {} },
  { code: STREETS.hedongSouth, parentCode: HEDONG, level: 'street', name: '东门街道', geometry: square(120.0, 30.0, 120.02, 30.01), generated: true, properties: {} },
  { code: STREETS.hedongNorth, parentCode: HEDONG, level: 'street', name: '北关街道', geometry: square(120.0, 30.01, 120.02, 30.02), generated: true, properties: {} },
  { code: STREETS.hexiSouth, parentCode: HEXI, level: 'street', name: '西岸街道', geometry: square(120.02, 30.0, 120.04, 30.01), generated: true, properties: {} },
  { code: STREETS.hexiNorth, parentCode: HEXI, level: 'street', name: '柳湾街道', geometry: square(120.02, 30.01, 120.04, 30.02), generated: true, properties: {} },
];

export const TINY_CATEGORIES: readonly CategoryDefinition[] = [
  { code: 'roads', parentCode: null, nameZh: '道路', nameEn: 'Roads', respondWithin: '2h', resolveWithin: '3d', basis: 'working', defaultPriority: 'normal' },
  { code: 'roads.pothole', parentCode: 'roads', nameZh: '路面坑洼', nameEn: 'Pothole', respondWithin: '2h', resolveWithin: '3d', basis: 'working', defaultPriority: 'normal' },
  { code: 'roads.flooding', parentCode: 'roads', nameZh: '路面积水', nameEn: 'Flooded road', respondWithin: '30m', resolveWithin: '4h', basis: 'calendar', defaultPriority: 'urgent' },
  { code: 'parks', parentCode: null, nameZh: '公园', nameEn: 'Parks', respondWithin: '2h', resolveWithin: '5d', basis: 'working', defaultPriority: 'low' },
  { code: 'parks.litter', parentCode: 'parks', nameZh: '公园垃圾', nameEn: 'Litter in a park', respondWithin: '2h', resolveWithin: '2d', basis: 'working', defaultPriority: 'low' },
];

const kind = (k: string, nameZh: string, nameEn: string, categoryCodes: string[]): UnitKind => ({ kind: k, nameZh, nameEn, categoryCodes });

export const TINY_UNIT_KINDS: UnitKindsByTier = {
  city: [kind('city-works', '市政工程局', 'City works bureau', ['roads', 'parks'])],
  district: [kind('roads-office', '道路养护所', 'Roads office', ['roads']), kind('parks-office', '园林所', 'Parks office', ['parks'])],
  street: [kind('street-team', '街道巡查队', 'Street patrol team', ['roads', 'parks'])],
};

interface TinyUser {
  username: string;
  displayName: string;
  roles: Role[];
  centerId?: string;
  unitId?: string;
  phone?: string;
}

const USERS: readonly TinyUser[] = [
  { username: 'admin', displayName: '管理员', roles: ['admin'] },
  { username: 'city.operator', displayName: '市中心值班员', roles: ['operator'], centerId: centerIdOf(TINY_CITY) },
  { username: 'hedong.operator', displayName: '河东区中心坐席', roles: ['operator'], centerId: centerIdOf(HEDONG) },
  { username: 'hexi.operator', displayName: '河西区中心坐席', roles: ['operator'], centerId: centerIdOf(HEXI) },
  { username: 'hexi.roads', displayName: '河西区道路养护所 养护员', roles: ['unit_staff'], unitId: unitIdOf(HEXI, 'roads-office') },
  { username: 'hedong.roads', displayName: '河东区道路养护所 养护员', roles: ['unit_staff'], unitId: unitIdOf(HEDONG, 'roads-office') },
  { username: 'citizen.wang', displayName: '王五', roles: ['citizen'], phone: '13900000009' },
];

/** The tiny city in an empty (or emptied) store, in one transaction. */
async function seedTinyCity(store: StoreAdapter): Promise<DemoSeedSummary> {
  const centers: { id: string; tier: Tier; jurisdiction_code: string; name: string; parent_center_id: string | null }[] = [];
  const units: { id: string; name: string; kind: string; tier: Tier; jurisdiction_code: string; category_codes: string }[] = [];
  for (const j of JURISDICTIONS) {
    const tier = j.level as Tier;
    centers.push({ id: centerIdOf(j.code), tier, jurisdiction_code: j.code, name: `${j.name}运行中心`, parent_center_id: j.parentCode ? centerIdOf(j.parentCode) : null });
    for (const k of TINY_UNIT_KINDS[tier]) {
      units.push({ id: unitIdOf(j.code, k.kind), name: `${j.name}${k.nameZh}`, kind: k.kind, tier, jurisdiction_code: j.code, category_codes: JSON.stringify(k.categoryCodes) });
    }
  }
  const hashed = await hashPassword(TINY_PASSWORD);
  const now = new Date().toISOString();
  await store.db.transaction().execute(async (tx) => {
    for (const t of ['events', 'timers', 'tasks', 'attachments', 'cases', 'case_search', 'case_views', 'auth_tokens', 'users', 'units', 'centers', 'categories', 'jurisdictions', 'counters', 'assets', 'devices'] as const) {
      await tx.deleteFrom(t).execute();
    }
    await tx.updateTable('log_head').set({ seq: 0, hash: GENESIS_HASH }).where('id', '=', 1).execute();
    await insertJurisdictions(tx, JURISDICTIONS);
    await tx.insertInto('centers').values(centers).execute();
    await tx.insertInto('units').values(units).execute();
    await tx.insertInto('categories').values(TINY_CATEGORIES.map(categoryToRow)).execute();
    await tx
      .insertInto('users')
      .values(
        USERS.map((u) => ({
          id: newId(),
          username: u.username,
          display_name: u.displayName,
          password_hash: hashed,
          roles: JSON.stringify(u.roles),
          center_id: u.centerId ?? null,
          unit_id: u.unitId ?? null,
          jurisdiction_code: null,
          phone: u.phone ?? null,
          created_at: now,
          disabled: 0,
        })),
      )
      .execute();
  });
  return { jurisdictions: JURISDICTIONS.length, centers: centers.length, units: units.length, users: USERS.length, categories: TINY_CATEGORIES.length, assets: 0 };
}

const tiny: CityPackManifest = {
  name: { zh: '青溪市', en: 'Qingxi' },
  timeZone: 'Asia/Shanghai',
  // Office hours 08:30–17:00 without a lunch break: not the default, so the pack's hours are seen to count.
  workingHours: { timeZoneOffsetMinutes: 480, periods: [['08:30', '17:00']] },
  categories: TINY_CATEGORIES,
  unitKinds: TINY_UNIT_KINDS,
  capSender: 'cityloop@qingxi.example',
  vitalSigns: [
    { key: 'roads.open-flooding', category: 'drainage', name: { zh: '在办路面积水事项', en: 'open flooded roads' }, unit: '件', measure: { kind: 'openCases', categoryPrefixes: ['roads.flooding'] }, thresholds: { yellow: 1, red: 3 } },
  ],
  // One Open311 attribute, so a test sees the pack's list served; the other tables are left out,
  // so tests see the neutral behaviour (no muck readers among units, CAP exports say Other …).
  open311Attributes: [
    {
      appliesTo: ['roads.flooding'],
      code: 'water_depth',
      datatype: 'singlevaluelist',
      variable: true,
      required: true,
      label: '积水深度',
      description: { zh: '积水有多深？', en: 'How deep is the water?' },
      values: [
        { key: 'ankle', name: { zh: '没过脚踝', en: 'Ankle-deep' } },
        { key: 'knee', name: { zh: '没过膝盖', en: 'Knee-deep' } },
      ],
    },
  ],
  demo: {
    description: 'the tiny test city of Qingxi (青溪市): two districts, four streets',
    password: TINY_PASSWORD,
    seed: (store) => seedTinyCity(store),
  },
};

export default tiny;
