/**
 * Normal readings of the demo city's devices (pure): what each kind of instrument reports on an
 * ordinary day, by the time of day in Chongqing (UTC+8). Seeded and stateless: the values are a
 * function of (seed, device id, time), so consecutive readings of a device move smoothly (value
 * noise interpolated between knots) and a test can replay any day exactly.
 *
 * Every value stays inside NORMAL_ENVELOPE, which lies inside the instrument's range
 * (device-types.ts) and below what the shipped rules (rules/*.yaml) call an emergency: a stream
 * left to itself raises nothing. Incidents are scripted in scenarios.ts.
 */
import { deviceType } from '../../src/sensing/devices/device-types.ts';

/** The bounds of a normal day, per device type and metric. */
export const NORMAL_ENVELOPE: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> = {
  // A dry underpass: the gauge reads a film of water and its own noise.
  water_gauge: { water_level: [0.02, 0.05], battery: [55, 100] },
  // A trunk main (DN800): pressure sags and flow swells with the city's demand.
  water_pressure: { pressure: [0.3, 0.4], flow: [600, 1000], battery: [55, 100] },
  fire_detector: { temperature: [10, 30], smoke: [0, 0.9], fire: [0, 0], battery: [55, 100] },
  gas_detector: { gas: [0, 2], battery: [55, 100] },
  // Traffic load bends the deck a little; lorries shake it (far below 20 mm/s, 1200 με, 50 mm).
  bridge_monitor: { strain: [-300, 420], displacement: [-6, 6], tilt: [-0.05, 0.05], vibration: [0, 12] },
  traffic_counter: { speed: [12, 68], volume: [80, 2700], occupancy: [1, 48] },
  // Below 0.075 mg/m³ (轻度污染) at all times.
  air_quality: { pm25: [0.01, 0.065], pm10: [0.02, 0.11] },
};

/** Device types this module can stream (the others send events or nothing). */
export const STREAM_TYPES: readonly string[] = Object.keys(NORMAL_ENVELOPE);

export function hasStream(type: string): boolean {
  return Object.hasOwn(NORMAL_ENVELOPE, type);
}

const HOUR_MS = 3_600_000;
const CHONGQING_OFFSET_H = 8;

/** Hour of the day in Chongqing, fractional (0 ≤ h < 24). */
export function localHour(ms: number): number {
  const h = (ms / HOUR_MS + CHONGQING_OFFSET_H) % 24;
  return h < 0 ? h + 24 : h;
}

// ───────────────────────────── seeded noise ─────────────────────────────

/** FNV-1a of the key, then mixed with the seed and n (murmur3's finaliser): uniform in [0, 1). */
export function unit(seed: number, key: string, n: number): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= Math.imul(n | 0, 0x9e3779b1) ^ Math.imul(Math.floor(n / 4_294_967_296) | 0, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}

/** Value noise in [0, 1): random knots every `periodMs`, eased between them. */
function smooth(seed: number, key: string, ms: number, periodMs: number): number {
  const x = ms / periodMs;
  const k = Math.floor(x);
  const f = x - k;
  const e = f * f * (3 - 2 * f);
  const a = unit(seed, key, k);
  const b = unit(seed, key, k + 1);
  return a + (b - a) * e;
}

/** Per-reading jitter in [-1, 1), a function of the second the reading is taken. */
function jitter(seed: number, key: string, ms: number): number {
  return unit(seed, `${key}~`, Math.floor(ms / 1000)) * 2 - 1;
}

/** A bump around `peak` o'clock of width `sigma` hours, across midnight too. */
function bump(h: number, peak: number, sigma: number): number {
  let d = Math.abs(h - peak);
  if (d > 12) d = 24 - d;
  return Math.exp(-(d * d) / (2 * sigma * sigma));
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, decimals: number) => {
  const k = 10 ** decimals;
  return Math.round(x * k) / k;
};

// ───────────────────────────── the city's rhythm ─────────────────────────────

/** Water demand, 0 (3 a.m.) to 1 (the evening peak): morning, lunch and evening peaks. */
export function waterDemand(h: number): number {
  return clamp(0.08 + 0.72 * bump(h, 7.5, 1.4) + 0.35 * bump(h, 12.2, 1.3) + 0.9 * bump(h, 19.8, 1.8), 0, 1);
}

/** Road traffic, 0 (night) to 1 (rush hour): 8:15 and 18:30 peaks, a busy middle of the day. */
export function trafficLoad(h: number): number {
  return clamp(0.04 + 0.92 * bump(h, 8.25, 1.0) + 0.45 * bump(h, 13, 2.8) + 0.96 * bump(h, 18.5, 1.2), 0, 1);
}

// ───────────────────────────── readings ─────────────────────────────

/**
 * The values a device of this type reports at `at` on a normal day, or null for a type with no
 * stream (camera, traffic signal, a city's own type). Values are rounded as instruments report.
 */
export function normalValues(device: { readonly id: string; readonly type: string }, at: Date | number, seed = 1): Record<string, number> | null {
  const envelope = NORMAL_ENVELOPE[device.type];
  if (!envelope) return null;
  const ms = typeof at === 'number' ? at : at.getTime();
  const h = localHour(ms);
  const id = device.id;
  const s = (metric: string, periodMs: number) => smooth(seed, `${id}/${metric}`, ms, periodMs);
  const j = (metric: string) => jitter(seed, `${id}/${metric}`, ms);
  /** A device's own constant offset in [-1, 1). */
  const own = (metric: string) => unit(seed, `${id}/${metric}/own`, 0) * 2 - 1;
  const out: Record<string, number> = {};
  switch (device.type) {
    case 'water_gauge':
      out.water_level = round(0.02 + 0.026 * s('water_level', 40 * 60_000) + 0.002 * (j('water_level') + 1), 3);
      break;
    case 'water_pressure': {
      const d = waterDemand(h);
      out.pressure = round(0.392 - 0.075 * d + 0.006 * own('pressure') + 0.004 * (s('pressure', 20 * 60_000) - 0.5) + 0.0015 * j('pressure'), 3);
      out.flow = round((612 + 360 * d) * (1 + 0.012 * own('flow') + 0.012 * (s('flow', 15 * 60_000) - 0.5) + 0.006 * j('flow')), 1);
      break;
    }
    case 'fire_detector': {
      // Coolest before dawn, warmest mid-afternoon; forests read a few degrees apart.
      const daily = Math.cos((2 * Math.PI * (h - 15)) / 24);
      out.temperature = round(20 + 7.5 * daily + 1.5 * own('temperature') + 0.8 * (s('temperature', 30 * 60_000) - 0.5) + 0.2 * j('temperature'), 1);
      out.smoke = round(0.05 + 0.5 * s('smoke', 25 * 60_000) + 0.05 * (j('smoke') + 1), 2);
      out.fire = 0;
      break;
    }
    case 'gas_detector':
      out.gas = round(0.2 + 1.2 * s('gas', 20 * 60_000) + 0.15 * (j('gas') + 1), 2);
      break;
    case 'bridge_monitor': {
      const t = trafficLoad(h);
      const strain = 100 + 40 * own('strain') + 200 * t + 60 * (s('strain', 10 * 60_000) - 0.5) + 25 * j('strain');
      out.strain = round(strain, 1);
      out.displacement = round(strain * 0.01 + 0.4 * j('displacement'), 2);
      out.tilt = round(0.02 * own('tilt') + 0.006 * (s('tilt', 60 * 60_000) - 0.5) + 0.002 * j('tilt'), 4);
      // A heavy lorry now and then: the fourth power keeps spikes rare.
      const lorry = ((j('vibration') + 1) / 2) ** 4;
      out.vibration = round(0.2 + 3.5 * t * s('vibration', 5 * 60_000) + 6 * lorry * t + 0.8, 2);
      break;
    }
    case 'traffic_counter': {
      const t = trafficLoad(h);
      const mood = s('traffic', 15 * 60_000) - 0.5;
      out.volume = Math.round((120 + 2150 * t) * (1 + 0.12 * mood + 0.05 * j('volume')) * (1 + 0.06 * own('volume')));
      out.occupancy = round(2 + 40 * t ** 1.6 * (1 + 0.15 * mood) + 0.8 * j('occupancy'), 1);
      out.speed = round(62 - 38 * t ** 1.3 * (1 + 0.2 * mood) + 2.5 * j('speed') + 2 * own('speed'), 1);
      break;
    }
    case 'air_quality': {
      // Chongqing air on an ordinary day: 0.02–0.06 mg/m³, worse in the evening and at night.
      const daily = 0.5 + 0.5 * Math.cos((2 * Math.PI * (h - 22)) / 24);
      const pm25 = 0.022 + 0.016 * daily + 0.018 * s('pm25', 3 * 60 * 60_000) + 0.004 * own('pm25') + 0.002 * j('pm25');
      out.pm25 = round(pm25, 4);
      out.pm10 = round(pm25 * (1.55 + 0.15 * s('pm10', 2 * 60 * 60_000)) + 0.003 * j('pm10'), 4);
      break;
    }
  }
  const type = deviceType(device.type);
  if (type?.metrics.some((m) => m.name === 'battery')) out.battery = Math.round(60 + 38 * unit(seed, `${id}/battery`, 0) + 2 * s('battery', 6 * HOUR_MS));
  for (const [metric, [lo, hi]] of Object.entries(envelope)) if (metric in out) out[metric] = clamp(out[metric]!, lo, hi);
  return out;
}
