import { demoDevices } from './demo-devices.ts';
import { seedDemoMuckChain } from './demo-muck-chain.ts';
import { centerIdOf, unitIdOf } from './demo-ids.ts';
import { fileURLToPath } from 'node:url';
import type { StoreAdapter } from '../../../src/store/store.ts';
import { GENESIS_HASH } from '../../../src/store/migrations.ts';
import { hashPassword } from '../../../src/auth/password.ts';
import type { Role } from '../../../src/auth/principal.ts';
import { newId } from '../../../src/ids.ts';
import { generateDemoJurisdictions } from './demo-geography.ts';
import { JurisdictionResolver } from '../../../src/geo/resolver.ts';
import type { JurisdictionRecord } from '../../../src/geo/jurisdiction.ts';
import { insertJurisdictions } from '../../../src/geo/jurisdiction-repository.ts';
import { DEMO_CATEGORIES } from '../categories.ts';
import { CITY_UNIT_KINDS, DISTRICT_UNIT_KINDS, STEM_NAMED_UNIT_KINDS, STREET_UNIT_KINDS, type UnitKind } from '../unit-kinds.ts';
import { placeStem } from './demo-names.ts';
import type { Tier } from '../../../src/cases/case-model.ts';
import { generateDemoAssets } from './demo-assets.ts';
import { insertAssets } from '../../../src/assets/asset-repository.ts';
import { savePopulation } from '../../../src/analyses/impact/grid-population.ts';
import { generateDemoPopulation } from './demo-population.ts';
import { categoryToRow } from '../../../src/org/category-rows.ts';

/** The pack's folder: the geography is in its geo/ (boundaries, street names). */
export const RESOURCES_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Every demo user signs in with this password (documented in the README; set DEMO=false in production). */
export const DEMO_PASSWORD = 'cityloop-demo';

export { centerIdOf, unitIdOf };

export interface DemoUser {
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly centerId?: string;
  readonly unitId?: string;
  readonly jurisdictionCode?: string;
  readonly phone?: string;
}

/** 解放碑 (GCJ-02): the demo grid worker walks the grid that contains it. */
const JIEFANGBEI: readonly [number, number] = [106.577, 29.557];

export function demoUsers(resolver: JurisdictionResolver): DemoUser[] {
  const has = (code: string) => resolver.get(code) !== undefined;
  const users: DemoUser[] = [
    { username: 'admin', displayName: '系统管理员', roles: ['admin'] },
    { username: 'city.operator', displayName: '市中心值班员 王敏', roles: ['operator'], centerId: centerIdOf('500000') },
    { username: 'city.supervisor', displayName: '市中心督办员 陈刚', roles: ['supervisor'], centerId: centerIdOf('500000') },
  ];
  if (has('500103')) {
    users.push(
      { username: 'yuzhong.operator', displayName: '渝中区中心坐席 刘洋', roles: ['operator'], centerId: centerIdOf('500103') },
      { username: 'yuzhong.supervisor', displayName: '渝中区中心督办员 赵丽', roles: ['supervisor'], centerId: centerIdOf('500103') },
      { username: 'yuzhong.water', displayName: '渝中区供水公司 抢修班 孙强', roles: ['unit_staff'], unitId: unitIdOf('500103', 'water-supply') },
      { username: 'yuzhong.traffic', displayName: '渝中区交巡警支队 周勇', roles: ['unit_staff'], unitId: unitIdOf('500103', 'traffic-police') },
      { username: 'yuzhong.urban', displayName: '渝中区城市管理局 吴静', roles: ['unit_staff'], unitId: unitIdOf('500103', 'urban-management') },
      { username: 'yuzhong.fire', displayName: '渝中区消防救援支队 郑伟', roles: ['unit_staff'], unitId: unitIdOf('500103', 'fire-rescue') },
      { username: 'yuzhong.econ', displayName: '渝中区经济信息委 冯婷', roles: ['unit_staff'], unitId: unitIdOf('500103', 'economy-it') },
    );
  }
  // Street polygons are generated, so the street around 解放碑 is whichever generated street holds it.
  const street = resolver.resolve(JIEFANGBEI[0], JIEFANGBEI[1])?.chain.find((l) => l.level === 'street');
  if (street) users.push({ username: 'street.operator', displayName: `${street.name}中心值班员 何芳`, roles: ['operator'], centerId: centerIdOf(street.code) });
  // The grid worker walks one grid and belongs to the community office of its street (网格工作站),
  // whose tasks (a plan's "notify the residents within 300 m") are the grid workers' to do.
  // `street` was resolved from the same point, so it is the grid's street.
  const grid = resolver.resolveLowest(JIEFANGBEI[0], JIEFANGBEI[1]);
  if (grid) {
    users.push({
      username: 'gridworker',
      displayName: '网格员 杨帆',
      roles: ['grid_worker'],
      jurisdictionCode: grid,
      ...(street ? { unitId: unitIdOf(street.code, 'community') } : {}),
      phone: '13800000001',
    });
  }
  if (has('500108')) {
    users.push(
      { username: 'nanan.operator', displayName: '南岸区中心坐席 林峰', roles: ['operator'], centerId: centerIdOf('500108') },
      { username: 'nanan.water', displayName: '南岸区供水公司 黄磊', roles: ['unit_staff'], unitId: unitIdOf('500108', 'water-supply') },
    );
  }
  users.push(
    { username: 'citizen.zhang', displayName: '张三', roles: ['citizen'], phone: '13912345678' },
    { username: 'citizen.li', displayName: '李四', roles: ['citizen'], phone: '13787654321' },
  );
  return users;
}

interface CenterRow { id: string; tier: Tier; jurisdiction_code: string; name: string; parent_center_id: string | null }
interface UnitRow { id: string; name: string; kind: string; tier: Tier; jurisdiction_code: string; category_codes: string }

export function demoCentersAndUnits(records: readonly JurisdictionRecord[]): { centers: CenterRow[]; units: UnitRow[] } {
  const centers: CenterRow[] = [];
  const units: UnitRow[] = [];
  const unit = (j: JurisdictionRecord, tier: Tier, k: UnitKind, prefix: string) =>
    units.push({ id: unitIdOf(j.code, k.kind), name: `${prefix}${k.nameZh}`, kind: k.kind, tier, jurisdiction_code: j.code, category_codes: JSON.stringify(k.categoryCodes) });
  for (const j of records) {
    if (j.level === 'city') {
      centers.push({ id: centerIdOf(j.code), tier: 'city', jurisdiction_code: j.code, name: `${j.name}数字化城市运行和治理中心`, parent_center_id: null });
      for (const k of CITY_UNIT_KINDS) unit(j, 'city', k, j.name.replace(/市$/, ''));
    } else if (j.level === 'district') {
      centers.push({ id: centerIdOf(j.code), tier: 'district', jurisdiction_code: j.code, name: `${j.name}城市运行和治理中心`, parent_center_id: j.parentCode ? centerIdOf(j.parentCode) : null });
      for (const k of DISTRICT_UNIT_KINDS) unit(j, 'district', k, j.name);
    } else if (j.level === 'street') {
      centers.push({ id: centerIdOf(j.code), tier: 'street', jurisdiction_code: j.code, name: `${j.name}城市运行和治理中心`, parent_center_id: j.parentCode ? centerIdOf(j.parentCode) : null });
      for (const k of STREET_UNIT_KINDS) unit(j, 'street', k, STEM_NAMED_UNIT_KINDS.has(k.kind) ? placeStem(j.name) : j.name);
    }
  }
  return { centers, units };
}

export interface ResetDemoOptions {
  /** Restrict to these district adcodes (tests); default: all 38. */
  readonly districts?: string[];
  readonly onProgress?: (phase: string, done: number, total: number) => void;
}

/**
 * Rebuilds the demo city of Chongqing in one transaction: either the whole city is there
 * afterwards, or the store is as it was.
 */
export async function resetDemoCity(store: StoreAdapter, opts: ResetDemoOptions = {}): Promise<{ jurisdictions: number; centers: number; units: number; users: number; categories: number; assets: number }> {
  const records = generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, ...(opts.districts ? { districts: opts.districts } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const resolver = JurisdictionResolver.build(records);
  const { centers, units } = demoCentersAndUnits(records);
  const users = demoUsers(resolver);
  const assets = generateDemoAssets(resolver, opts.districts ? { districts: opts.districts } : {});
  const now = new Date().toISOString();
  const hashed = await hashPassword(DEMO_PASSWORD);
  await store.db.transaction().execute(async (tx) => {
    for (const t of ['events', 'timers', 'tasks', 'attachments', 'cases', 'case_search', 'case_views', 'auth_tokens', 'users', 'units', 'centers', 'categories', 'jurisdictions', 'counters', 'assets', 'devices', 'readings', 'rule_states', 'alerts', 'dead_letters', 'camera_events', 'cap_messages', 'muck_trucks', 'muck_permits', 'muck_sites', 'grid_population', 'evacuations'] as const) {
      await tx.deleteFrom(t).execute();
    }
    await tx.updateTable('log_head').set({ seq: 0, hash: GENESIS_HASH }).where('id', '=', 1).execute();
    await insertJurisdictions(tx, records, (d, n) => opts.onProgress?.('store jurisdictions', d, n));
    await insertAssets(tx, assets, (d, n) => opts.onProgress?.('store assets', d, n));
    // Generated, and stored as such: spread from the census totals of the districts (demo-population.ts).
    await savePopulation(tx, generateDemoPopulation(records), 'generated', 'demo', now);
    const devices = demoDevices(assets, resolver, now);
    for (let i = 0; i < devices.length; i += 200) await tx.insertInto('devices').values(devices.slice(i, i + 200)).execute();
    for (let i = 0; i < centers.length; i += 500) await tx.insertInto('centers').values(centers.slice(i, i + 500)).execute();
    for (let i = 0; i < units.length; i += 500) await tx.insertInto('units').values(units.slice(i, i + 500)).execute();
    await tx
      .insertInto('categories')
      .values(
        DEMO_CATEGORIES.map(categoryToRow),
      )
      .execute();
    await tx
      .insertInto('users')
      .values(
        users.map((u) => ({
          id: newId(),
          username: u.username,
          display_name: u.displayName,
          // One scrypt hash for every demo user keeps the reset fast; real users each get their own salt.
          password_hash: hashed,
          roles: JSON.stringify(u.roles),
          center_id: u.centerId ?? null,
          unit_id: u.unitId ?? null,
          jurisdiction_code: u.jurisdictionCode ?? null,
          phone: u.phone ?? null,
          created_at: now,
          disabled: 0,
        })),
      )
      .execute();
  });
  // The muck-truck chain of the seed's 渣土 scene (generated): sites, permits with routes, trucks.
  await seedDemoMuckChain(store, { districtOf: (x, y) => resolver.findContaining(x, y, 'district') });
  return { jurisdictions: records.length, centers: centers.length, units: units.length, users: users.length, categories: DEMO_CATEGORIES.length, assets: assets.length };
}
