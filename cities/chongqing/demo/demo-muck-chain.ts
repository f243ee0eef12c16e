/**
 * A small generated muck-truck chain for the seed's 渣土车撒漏 scene (Chongqing, GCJ-02,
 * positions approximate): an urban-renewal excavation site near 小什字 in 渝中区, a disposal site
 * at 华岩 in 九龙坡区, two permits from the one to the other — one by 解放碑, 中山一路, 长江一路,
 * 大坪 and 杨家坪, passing the demo camera `cam-jiefangbei-01`; one along the 长滨路 riverside,
 * some 650 m from that camera — and three trucks: one under each permit and one under none.
 * Everything is marked `generated: true` and named （演示）.
 *
 * The scene: a spill by 渝A·73521 at the camera is on its route (yellow); by 渝B·36051D it is
 * off its route (orange); by 渝A·8Q602 it has no permit (orange).
 */
import { DEMO_POINTS } from './demo-assets.ts';
import { METERS_PER_DEGREE, type Position } from '../../../src/geo/geometry.ts';
import type { StoreAdapter } from '../../../src/store/store.ts';
import { importMuckChain } from '../../../src/sensing/muck/muck-repository.ts';
import type { MuckDocumentOptions } from '../../../src/sensing/muck/muck-import.ts';

/** p moved `east` and `north` metres (the same rule demo-assets places its cameras with). */
function offset(p: readonly [number, number], east: number, north: number): Position {
  const kx = METERS_PER_DEGREE * Math.cos((p[1] * Math.PI) / 180);
  return [p[0] + east / kx, p[1] + north / METERS_PER_DEGREE];
}

function rectangle(c: readonly [number, number], width: number, height: number): Position[][] {
  const a = offset(c, -width / 2, -height / 2), b = offset(c, width / 2, height / 2);
  return [[[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]], [a[0], a[1]]]];
}

const EXCAVATION_CENTRE = [106.5838, 29.5608] as const;
const DISPOSAL_CENTRE = [106.455, 29.5075] as const;

/** What a demo, a test or a walkthrough needs to stage the scene. */
export const DEMO_MUCK = Object.freeze({
  /** The camera at 解放碑 (an asset of the demo layer, `demo-camera-jiefangbei-01`). */
  cameraId: 'cam-jiefangbei-01',
  /** Its GCJ-02 position: 15 m east and 10 m north of DEMO_POINTS.jiefangbei, as demo-assets places it. */
  camera: offset(DEMO_POINTS.jiefangbei, 15, 10) as readonly [number, number],
  excavationSiteId: 'demo-muck-site-xiaoshizi',
  disposalSiteId: 'demo-muck-site-huayan',
  permits: { viaJiefangbei: 'demo-muck-permit-1', riverside: 'demo-muck-permit-2' },
  plates: { onRoute: '渝A73521', offRoute: '渝B36051D', noPermit: '渝A8Q602' },
});

/** 解放碑 → 中山一路 → 长江一路/二路 → 大坪 → 石坪桥 → 杨家坪 → 华岩. */
function routeViaJiefangbei(): Position[] {
  return [
    [106.5828, 29.56],
    [106.58, 29.5585],
    // Beside the camera at 解放碑: the route passes a few metres from it.
    offset(DEMO_POINTS.jiefangbei, 5, 8),
    [106.5738, 29.5545],
    [106.565, 29.5555],
    [106.5535, 29.5565],
    [106.545, 29.5525],
    [DEMO_POINTS.trunkMainBurst[0], DEMO_POINTS.trunkMainBurst[1]],
    [106.52, 29.5405],
    [106.5115, 29.525],
    [106.51, 29.5085],
    [106.49, 29.506],
    [106.47, 29.5065],
    [106.4575, 29.5065],
  ];
}

/** 朝天门 → 长滨路 along the 长江 → 菜园坝 → 鹅公岩 → 杨家坪 → 华岩. */
function routeRiverside(): Position[] {
  return [
    [106.5845, 29.5598],
    [106.5862, 29.5568],
    [106.5815, 29.5525],
    [106.5745, 29.549],
    [106.565, 29.5465],
    [106.554, 29.5445],
    [106.5425, 29.543],
    [106.53, 29.534],
    [106.518, 29.522],
    [106.51, 29.5085],
    [106.49, 29.506],
    [106.47, 29.5065],
    [106.4575, 29.5065],
  ];
}

/**
 * The demo chain as an import document. Permits run from 1 January of last year to 31 December of
 * next year (China time), so the scene works whatever the clock says.
 */
export function demoMuckChainDocument(now: Date = new Date()): { sites: Record<string, unknown>[]; permits: Record<string, unknown>[]; trucks: Record<string, unknown>[] } {
  const year = now.getUTCFullYear();
  const validFrom = `${year - 1}-01-01`;
  const validTo = `${year + 1}-12-31`;
  const generated = { generated: true };
  return {
    sites: [
      {
        id: DEMO_MUCK.excavationSiteId,
        kind: 'excavation',
        name: '渝中区小什字片区城市更新项目出土工地（演示）',
        geometry: { type: 'Polygon', coordinates: rectangle(EXCAVATION_CENTRE, 160, 120) },
        districtCode: '500103',
        properties: { ...generated, builder: '重庆某建设集团有限公司（演示）', earthwork_m3: 86000 },
      },
      {
        id: DEMO_MUCK.disposalSiteId,
        kind: 'disposal',
        name: '九龙坡区华岩建筑渣土消纳场（演示）',
        geometry: { type: 'Polygon', coordinates: rectangle(DISPOSAL_CENTRE, 300, 250) },
        districtCode: '500107',
        properties: { ...generated, capacity_m3: 1200000 },
      },
    ],
    permits: [
      {
        id: DEMO_MUCK.permits.viaJiefangbei,
        number: `渝中建渣准〔${year}〕0017号（演示）`,
        company: '重庆渝州渣土运输有限公司（演示）',
        excavationSiteId: DEMO_MUCK.excavationSiteId,
        disposalSiteId: DEMO_MUCK.disposalSiteId,
        route: { type: 'LineString', coordinates: routeViaJiefangbei() },
        validFrom,
        validTo,
        status: 'active',
        properties: { ...generated, hours: '22:00-06:00', route_description: '民族路—解放碑—中山一路—长江一路—长江二路—大坪—石坪桥—杨家坪—华岩' },
      },
      {
        id: DEMO_MUCK.permits.riverside,
        number: `渝中建渣准〔${year}〕0018号（演示）`,
        company: '重庆山城建筑垃圾清运有限公司（演示）',
        excavationSiteId: DEMO_MUCK.excavationSiteId,
        disposalSiteId: DEMO_MUCK.disposalSiteId,
        route: { type: 'LineString', coordinates: routeRiverside() },
        validFrom,
        validTo,
        status: 'active',
        properties: { ...generated, hours: '22:00-06:00', route_description: '朝天门—长滨路—菜园坝—鹅公岩—杨家坪—华岩' },
      },
    ],
    trucks: [
      { plate: DEMO_MUCK.plates.onRoute, permitId: DEMO_MUCK.permits.viaJiefangbei, company: '重庆渝州渣土运输有限公司（演示）', properties: { ...generated, vehicle: '重型自卸货车' } },
      { plate: DEMO_MUCK.plates.offRoute, permitId: DEMO_MUCK.permits.riverside, company: '重庆山城建筑垃圾清运有限公司（演示）', properties: { ...generated, vehicle: '纯电动重型自卸货车' } },
      { plate: DEMO_MUCK.plates.noPermit, permitId: null, company: '重庆某土石方工程队（演示）', properties: { ...generated, vehicle: '重型自卸货车' } },
    ],
  };
}

/**
 * Stores the demo chain (inserting or replacing its records by id; nothing else is touched).
 * Throws if the store refuses it, which would be a bug in this file.
 */
export async function seedDemoMuckChain(store: StoreAdapter, opts: MuckDocumentOptions & { now?: Date } = {}): Promise<{ sites: number; permits: number; trucks: number }> {
  const r = await importMuckChain(store, demoMuckChainDocument(opts.now), opts.districtOf ? { districtOf: opts.districtOf } : {});
  if (!r.ok) throw new Error(`the demo muck chain was refused: ${r.errors.map((e) => `${e.path}: ${e.reason}`).join('; ')}`);
  return { sites: r.sites, permits: r.permits, trucks: r.trucks };
}

/** A webhook/MQTT body for the scene: a spill at the 解放碑 camera by one of the demo trucks. */
export function demoMuckSpillEvent(truck: keyof typeof DEMO_MUCK.plates, at: Date, confidence = 0.92): Record<string, unknown> {
  const plate = DEMO_MUCK.plates[truck];
  return { cameraId: DEMO_MUCK.cameraId, eventType: '渣土车撒漏', plate: `${plate.slice(0, 2)}·${plate.slice(2)}`, confidence, at: at.toISOString() };
}
