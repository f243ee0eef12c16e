/**
 * The kinds of device the city connects, and what each one measures. A metric's range is what the
 * instrument can physically report: a value outside it is a broken message (dead letter), not an
 * emergency. Rules decide what is an emergency. Unknown device types are allowed (a city adds its
 * own); their readings are checked only for being finite numbers.
 */
export interface MetricDefinition {
  readonly name: string;
  readonly unit: string;
  readonly zh: string;
  readonly min: number;
  readonly max: number;
}

export interface DeviceTypeDefinition {
  readonly type: string;
  readonly zh: string;
  readonly en: string;
  /** The vital-sign category it feeds (城市体征), if any. */
  readonly indicatorCategory: IndicatorCategory | null;
  readonly metrics: readonly MetricDefinition[];
}

export const INDICATOR_CATEGORIES = ['water_supply', 'drainage', 'gas', 'transport', 'bridges_tunnels', 'forest_fire'] as const;
export type IndicatorCategory = (typeof INDICATOR_CATEGORIES)[number];

const m = (name: string, unit: string, zh: string, min: number, max: number): MetricDefinition => ({ name, unit, zh, min, max });

export const DEVICE_TYPES: readonly DeviceTypeDefinition[] = [
  { type: 'water_gauge', zh: '积水监测仪', en: 'water-level gauge', indicatorCategory: 'drainage', metrics: [m('water_level', 'm', '积水深度', -1, 20), m('battery', '%', '电量', 0, 100)] },
  {
    type: 'water_pressure',
    zh: '管网压力流量计',
    en: 'water-main pressure and flow meter',
    indicatorCategory: 'water_supply',
    metrics: [m('pressure', 'MPa', '管网压力', -0.1, 5), m('flow', 'm³/h', '瞬时流量', -10_000, 100_000), m('battery', '%', '电量', 0, 100)],
  },
  {
    type: 'fire_detector',
    zh: '林区火情监测',
    en: 'forest fire detector',
    indicatorCategory: 'forest_fire',
    metrics: [m('temperature', '°C', '温度', -50, 1500), m('smoke', '%obs/m', '烟雾浓度', 0, 100), m('fire', '', '火点识别', 0, 1), m('battery', '%', '电量', 0, 100)],
  },
  { type: 'gas_detector', zh: '燃气泄漏监测', en: 'gas leak detector', indicatorCategory: 'gas', metrics: [m('gas', '%LEL', '可燃气体浓度', 0, 100), m('battery', '%', '电量', 0, 100)] },
  {
    type: 'bridge_monitor',
    zh: '桥梁结构监测',
    en: 'bridge structural monitor',
    indicatorCategory: 'bridges_tunnels',
    metrics: [m('strain', 'με', '应变', -5000, 5000), m('displacement', 'mm', '位移', -1000, 1000), m('tilt', '°', '倾角', -90, 90), m('vibration', 'mm/s', '振动速度', 0, 1000)],
  },
  { type: 'traffic_counter', zh: '交通流量检测', en: 'traffic counter', indicatorCategory: 'transport', metrics: [m('speed', 'km/h', '平均车速', 0, 300), m('volume', 'veh/h', '车流量', 0, 20_000), m('occupancy', '%', '占有率', 0, 100)] },
  { type: 'air_quality', zh: '空气质量监测站', en: 'air-quality station', indicatorCategory: null, metrics: [m('pm25', 'mg/m³', 'PM2.5', 0, 5), m('pm10', 'mg/m³', 'PM10', 0, 10)] },
  { type: 'camera', zh: '视频监控', en: 'camera', indicatorCategory: null, metrics: [] },
  { type: 'traffic_signal', zh: '交通信号灯', en: 'traffic signal', indicatorCategory: 'transport', metrics: [] },
];

const BY_TYPE = new Map(DEVICE_TYPES.map((d) => [d.type, d]));
const METRICS = new Map(DEVICE_TYPES.map((d) => [d.type, new Map(d.metrics.map((x) => [x.name, x]))]));

export function deviceType(type: string): DeviceTypeDefinition | undefined {
  return BY_TYPE.get(type);
}

export function metricOf(type: string, metric: string): MetricDefinition | undefined {
  return METRICS.get(type)?.get(metric);
}

/** Device types are names like plan ids: lower-case letters, digits and `_`. */
export const DEVICE_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
