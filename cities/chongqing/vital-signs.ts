/**
 * Chongqing's vital signs (城市体征) and their risk thresholds: which devices and which of its
 * categories each indicator counts, and where yellow, orange and red begin.
 */
import type { IndicatorDefinition } from '../../src/sensing/indicators/vital-signs.ts';

export const VITAL_SIGNS: readonly IndicatorDefinition[] = [
  { key: 'water.pressure-alarm-share', category: 'water_supply', name: { zh: '管网压力监测点报警率', en: 'share of water-main meters in alarm' }, unit: '%', measure: { kind: 'deviceAlarmShare', deviceTypes: ['water_pressure'] }, thresholds: { yellow: 5, orange: 10, red: 20 } },
  { key: 'water.open-bursts', category: 'water_supply', name: { zh: '在办供水爆管/漏水事项', en: 'open water-main bursts and leaks' }, unit: '件', measure: { kind: 'openCases', categoryPrefixes: ['municipal.water.burst', 'municipal.water.leak'] }, thresholds: { yellow: 1, orange: 3, red: 5 } },
  { key: 'drainage.gauge-alarm-share', category: 'drainage', name: { zh: '积水监测点报警率', en: 'share of water-level gauges in alarm' }, unit: '%', measure: { kind: 'deviceAlarmShare', deviceTypes: ['water_gauge'] }, thresholds: { blue: 1, yellow: 10, orange: 25, red: 50 } },
  { key: 'drainage.open-waterlogging', category: 'drainage', name: { zh: '在办积水内涝事项', en: 'open waterlogging cases' }, unit: '件', measure: { kind: 'openCases', categoryPrefixes: ['safety.underpass-waterlogging', 'safety.road-waterlogging'] }, thresholds: { yellow: 1, orange: 3, red: 10 } },
  { key: 'gas.detector-alarm-share', category: 'gas', name: { zh: '燃气监测点报警率', en: 'share of gas detectors in alarm' }, unit: '%', measure: { kind: 'deviceAlarmShare', deviceTypes: ['gas_detector'] }, thresholds: { yellow: 1, orange: 5, red: 10 } },
  { key: 'gas.open-leaks', category: 'gas', name: { zh: '在办燃气泄漏事项', en: 'open gas leaks' }, unit: '件', measure: { kind: 'openCases', categoryPrefixes: ['municipal.gas'] }, thresholds: { orange: 1, red: 3 } },
  { key: 'transport.counter-alarm-share', category: 'transport', name: { zh: '交通检测点拥堵报警率', en: 'share of traffic counters in alarm' }, unit: '%', measure: { kind: 'deviceAlarmShare', deviceTypes: ['traffic_counter'] }, thresholds: { yellow: 10, orange: 20, red: 40 } },
  { key: 'transport.open-cases', category: 'transport', name: { zh: '在办交通事项', en: 'open traffic cases' }, unit: '件', measure: { kind: 'openCases', categoryPrefixes: ['traffic.', 'emergency.traffic-accident'] }, thresholds: { yellow: 5, orange: 15, red: 30 } },
  { key: 'bridges.monitor-alarm-share', category: 'bridges_tunnels', name: { zh: '桥梁监测点报警率', en: 'share of bridge monitors in alarm' }, unit: '%', measure: { kind: 'deviceAlarmShare', deviceTypes: ['bridge_monitor'] }, thresholds: { yellow: 1, orange: 5, red: 10 } },
  { key: 'bridges.open-defects', category: 'bridges_tunnels', name: { zh: '在办桥隧病害事项', en: 'open bridge and tunnel defects' }, unit: '件', measure: { kind: 'openCases', categoryPrefixes: ['traffic.bridge-tunnel'] }, thresholds: { yellow: 1, orange: 3, red: 5 } },
  { key: 'forest.detector-alarm-share', category: 'forest_fire', name: { zh: '林区火情监测报警率', en: 'share of forest fire detectors in alarm' }, unit: '%', measure: { kind: 'deviceAlarmShare', deviceTypes: ['fire_detector'] }, thresholds: { orange: 1, red: 5 } },
  { key: 'forest.open-fires', category: 'forest_fire', name: { zh: '在办森林火情事项', en: 'open forest fires' }, unit: '件', measure: { kind: 'openCases', categoryPrefixes: ['safety.forest-fire'] }, thresholds: { orange: 1, red: 2 } },
];
