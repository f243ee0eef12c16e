/**
 * The camera event types CityLoop knows (渣土车撒漏, 道路积水, 烟火 …): each with its canonical
 * Chinese name, stable code, English name, whether the plate goes to the muck-truck chain, and
 * the vendors' synonyms that map to it. These are the vendors' vocabulary, the same in any city;
 * which case category an alert of a type opens is the city's, in its pack
 * (`CityPackManifest.cameraEventCategories`, by type code).
 */

/** A city pack's table: camera event type code ('muck_spill') → the case category its alerts suggest. */
export type CameraEventCategories = Readonly<Record<string, string>>;

export interface CameraEventTypeSpec {
  /** Canonical name, as Chinese vendors and operators say it. */
  readonly type: string;
  /** Stable ASCII code (dedup keys, APIs). */
  readonly code: string;
  readonly en: string;
  /** A muck-truck event: the plate is looked up in the muck-truck chain. */
  readonly muck: boolean;
  readonly aliases: readonly string[];
}

/**
 * The types CityLoop knows. Aliases are compared after trimming, removing inner spaces and
 * lower-casing ASCII (so `Muck_Spill` and `muck_spill` match).
 */
export const CAMERA_EVENT_TYPES: readonly CameraEventTypeSpec[] = Object.freeze([
  {
    type: '渣土车撒漏',
    code: 'muck_spill',
    en: 'Muck truck spilling its load',
    muck: true,
    aliases: ['渣土车抛洒', '渣土车遗撒', '渣土车抛洒滴漏', '抛洒滴漏', '道路遗撒', '渣土遗撒', '车辆抛洒', 'muck_spill', 'muck_truck_spill', 'muck_spillage', 'spillage', 'road_spill'],
  },
  {
    type: '渣土车未密闭',
    code: 'muck_uncovered',
    en: 'Muck truck with an uncovered load',
    muck: true,
    aliases: ['渣土车未覆盖', '渣土车未苫盖', '车厢未密闭', '未密闭运输', 'muck_uncovered', 'muck_truck_uncovered', 'uncovered_load'],
  },
  {
    type: '渣土车超载',
    code: 'muck_overload',
    en: 'Overloaded muck truck',
    muck: true,
    aliases: ['渣土车超限', 'muck_overload', 'muck_truck_overload'],
  },
  {
    type: '道路积水',
    code: 'road_waterlogging',
    en: 'Waterlogged road',
    muck: false,
    aliases: ['路面积水', '积水', 'road_waterlogging', 'waterlogging', 'road_flooding', 'flooding'],
  },
  {
    type: '烟火',
    code: 'smoke_fire',
    en: 'Smoke or fire',
    muck: false,
    aliases: ['烟火识别', '烟雾', '火焰', '明火', 'smoke_fire', 'fire', 'smoke', 'flame'],
  },
  {
    type: '占道经营',
    code: 'street_vending',
    en: 'Street vending on public space',
    muck: false,
    aliases: ['流动摊贩', '占道摆摊', 'street_vending', 'vendor', 'illegal_vending'],
  },
  {
    type: '店外经营',
    code: 'outside_shop',
    en: 'Trading outside the shopfront',
    muck: false,
    aliases: ['出店经营', '跨门经营', 'outside_shop', 'out_of_store_operation'],
  },
  {
    type: '暴露垃圾',
    code: 'exposed_garbage',
    en: 'Exposed garbage',
    muck: false,
    aliases: ['垃圾暴露', '垃圾堆放', 'exposed_garbage', 'garbage'],
  },
  {
    type: '井盖缺失',
    code: 'manhole_missing',
    en: 'Missing manhole cover',
    muck: false,
    aliases: ['井盖丢失', 'manhole_missing', 'missing_manhole_cover'],
  },
  {
    type: '机动车违停',
    code: 'illegal_parking',
    en: 'Illegally parked motor vehicle',
    muck: false,
    aliases: ['违法停车', '违停', 'illegal_parking', 'parking_violation'],
  },
]);

function typeKey(s: string): string {
  return s.replace(/\s+/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const TYPE_BY_KEY: ReadonlyMap<string, CameraEventTypeSpec> = (() => {
  const m = new Map<string, CameraEventTypeSpec>();
  for (const spec of CAMERA_EVENT_TYPES) {
    for (const name of [spec.type, spec.code, ...spec.aliases]) {
      const k = typeKey(name);
      const seen = m.get(k);
      if (seen && seen !== spec) throw new Error(`camera event alias ${name} names two types`);
      m.set(k, spec);
    }
  }
  return m;
})();

/** The spec of a canonical type name (or of any alias or code), if CityLoop knows it. */
export function cameraEventTypeSpec(type: string): CameraEventTypeSpec | undefined {
  return TYPE_BY_KEY.get(typeKey(type));
}

/** The canonical name of a vendor's type, or the type as sent (trimmed) when unknown. */
export function canonicalEventType(raw: string): { type: string; known: boolean } {
  const spec = cameraEventTypeSpec(raw);
  return spec ? { type: spec.type, known: true } : { type: raw.trim(), known: false };
}

export function isMuckEventType(type: string): boolean {
  return cameraEventTypeSpec(type)?.muck === true;
}
