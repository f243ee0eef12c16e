/**
 * Scripted incidents for the demo city (pure): timelines of (scenario seconds, device, values) or
 * a camera event, which the simulator plays at a chosen speed. Each one is written against the
 * shipped rule that should catch it (rules/*.yaml), and the tests feed the timelines through
 * those rules.
 *
 *   burst      pressure-yz-01 on the 长江二路 trunk main (DN800): the pressure falls by 44 % and the
 *              flow rises by 44 % within 25 s, hold for five minutes, then recover as the main is
 *              shut and repaired (water-main-burst: 30 % / 20 % within 60 s).
 *   underpass  gauge-nankai-01 at 南开下穿道: a cloudburst fills the underpass to ~0.7 m over five
 *              minutes, holds, and the pumps bring it below 0.4 m (underpass-water-level: 0.5 m,
 *              cleared under 0.4 m); the plan turns the two signals red.
 *   truck      a 渣土车撒漏 event from the camera at 解放碑 (cam-jiefangbei-01): the truck 渝B·36051D
 *              is off its permitted route.
 *   fire       fire-yunyang-01 in 云阳's forest: smoke and heat, flame recognition, a red fire,
 *              then put out (forest-fire: 3 detections in 10 minutes, or > 60 °C with smoke > 10).
 *   all        every one, staggered (burst, then the underpass 2 min later, the truck at 5 min, the
 *              fire at 7 min).
 *
 * Offsets are scenario seconds; `--speed N` divides them (realOffsetMs). The readings carry the
 * real time they are sent at, so what a rule measures in time (60 s for a burst, 10 minutes of a
 * fire's detections) is measured in real time.
 */
import { DEMO_MUCK, demoMuckSpillEvent } from '../../cities/chongqing/demo/demo-muck-chain.ts';

export const SCENARIO_NAMES = ['burst', 'underpass', 'truck', 'fire'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
/** What `--scenario` accepts: a name, `all`, or a comma-separated list of names. */
export const SCENARIO_CHOICES = [...SCENARIO_NAMES, 'all'] as const;

export interface Say {
  readonly zh: string;
  readonly en: string;
}

export interface TelemetryStep {
  readonly kind: 'telemetry';
  /** Scenario seconds from the start of the run (staggering included). */
  readonly at: number;
  readonly scenario: ScenarioName;
  readonly deviceId: string;
  /** The values the scenario sets; the device's other metrics (battery …) keep their normal stream. */
  readonly values: Readonly<Record<string, number>>;
  /** After this step the device returns to its normal stream. */
  readonly release?: boolean;
  /** A milestone worth a line on the console. */
  readonly say?: Say;
}

export interface CameraStep {
  readonly kind: 'camera';
  readonly at: number;
  readonly scenario: ScenarioName;
  readonly deviceId: string;
  readonly truck: keyof typeof DEMO_MUCK.plates;
  readonly confidence: number;
  readonly say?: Say;
}

export type ScenarioStep = TelemetryStep | CameraStep;

export interface Scenario {
  readonly name: ScenarioName;
  readonly zh: string;
  readonly en: string;
  /** The devices whose readings or events it sends. */
  readonly devices: readonly string[];
  /** Devices that receive the platform's commands in it (the simulator plays them too). */
  readonly responders: readonly string[];
  /** Steps sorted by `at`, from 0. */
  readonly steps: readonly ScenarioStep[];
  /** Scenario seconds from its first to its last step. */
  readonly length: number;
}

/** The demo device each scenario plays, and its type. */
export const SCENARIO_DEVICES: Readonly<Record<ScenarioName, { readonly id: string; readonly type: string }>> = {
  burst: { id: 'pressure-yz-01', type: 'water_pressure' },
  underpass: { id: 'gauge-nankai-01', type: 'water_gauge' },
  truck: { id: DEMO_MUCK.cameraId, type: 'camera' },
  fire: { id: 'fire-yunyang-01', type: 'fire_detector' },
};

/** Where each scenario starts in `all` (scenario seconds). */
export const ALL_STAGGER: Readonly<Record<ScenarioName, number>> = { burst: 0, underpass: 120, truck: 300, fire: 420 };

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
/** Eased from 0 to 1 (an S-curve: slow start, steep middle, slow end). */
const ease = (f: number) => (f <= 0 ? 0 : f >= 1 ? 1 : f * f * (3 - 2 * f));
/** A small deterministic wobble in [-1, 1], so held values are not flat lines. */
const wobble = (i: number) => Math.sin(i * 2.399) * 0.6 + Math.sin(i * 0.917) * 0.4;

function burst(): Scenario {
  const device = SCENARIO_DEVICES.burst.id;
  const steps: TelemetryStep[] = [];
  const t = (at: number, pressure: number, flow: number, extra: Partial<TelemetryStep> = {}) =>
    steps.push({ kind: 'telemetry', at, scenario: 'burst', deviceId: device, values: { pressure: round(pressure, 3), flow: round(flow, 1) }, ...extra });
  const P0 = 0.36, F0 = 820, P1 = 0.2, F1 = 1180;
  // Normal operation, so the rule has a baseline within its minute.
  t(0, P0, F0, { say: { zh: '长江二路输水干管 DN800 运行正常', en: 'the 长江二路 trunk main (DN800) runs normally' } });
  for (const at of [10, 20, 30]) t(at, P0 + 0.002 * wobble(at), F0 + 4 * wobble(at));
  // The main bursts: in 25 s the pressure falls 44 % and the flow rises 44 %.
  const fall = [0.17, 0.42, 0.68, 0.88, 1];
  fall.forEach((f, i) =>
    t(35 + 5 * i, P0 + (P1 - P0) * f, F0 + (F1 - F0) * f, i === 2 ? { say: { zh: '爆管：压力骤降、流量骤升', en: 'burst: pressure falls, flow surges' } } : {}),
  );
  // Water pours out for five minutes until the valves are shut.
  for (let at = 70; at <= 360; at += 10) t(at, P1 + 0.006 * wobble(at), F1 + 15 * wobble(at));
  // Valves shut, the section is isolated and refilled: back to normal over two minutes.
  for (let at = 370; at <= 480; at += 10) {
    const f = ease((at - 360) / 120);
    t(at, P1 + (P0 - P1) * f, F1 + (F0 - F1) * f, at === 370 ? { say: { zh: '关阀止水，压力恢复中', en: 'valves shut, pressure recovering' } } : {});
  }
  const last = steps[steps.length - 1]!;
  steps[steps.length - 1] = { ...last, release: true, say: { zh: '管网压力、流量恢复正常', en: 'pressure and flow back to normal' } };
  return { name: 'burst', zh: '长江二路干管爆管', en: 'trunk-main burst on 长江二路', devices: [device], responders: [], steps, length: 480 };
}

function underpass(): Scenario {
  const device = SCENARIO_DEVICES.underpass.id;
  const steps: TelemetryStep[] = [];
  const t = (at: number, level: number, extra: Partial<TelemetryStep> = {}) =>
    steps.push({ kind: 'telemetry', at, scenario: 'underpass', deviceId: device, values: { water_level: round(level, 3) }, ...extra });
  const DRY = 0.03, TOP = 0.7;
  t(0, DRY, { say: { zh: '暴雨开始，南开下穿道积水上涨', en: 'a cloudburst: water rises in 南开下穿道' } });
  // Rises over five minutes (a reading every 15 s), past the 0.5 m limit after about 3½ minutes.
  let warned = false;
  for (let at = 15; at <= 300; at += 15) {
    const level = DRY + (TOP - DRY) * ease(at / 300);
    const say = !warned && level > 0.5 ? { zh: `积水 ${round(level, 2)} 米，超过 0.5 米限值`, en: `water ${round(level, 2)} m, over the 0.5 m limit` } : undefined;
    if (say) warned = true;
    t(at, level, say ? { say } : {});
  }
  // Holds for five minutes while it pours.
  for (let at = 330; at <= 600; at += 30) t(at, TOP + 0.015 * wobble(at));
  // The rain stops and the pumps drain it over ten minutes.
  let cleared = false;
  for (let at = 630; at <= 1200; at += 30) {
    const level = TOP + (0.05 - TOP) * ease((at - 600) / 600);
    const say = at === 630 ? { zh: '雨停，排水泵站抽排，水位回落', en: 'rain stops, the pumps drain the underpass' } : !cleared && level < 0.4 ? { zh: `积水 ${round(level, 2)} 米，低于 0.4 米`, en: `water ${round(level, 2)} m, under 0.4 m` } : undefined;
    if (say && at !== 630) cleared = true;
    t(at, level, say ? { say } : {});
  }
  const last = steps[steps.length - 1]!;
  steps[steps.length - 1] = { ...last, release: true };
  return { name: 'underpass', zh: '南开下穿道积水', en: 'flooded 南开下穿道 underpass', devices: [device], responders: ['signal-nankai-n', 'signal-nankai-s'], steps, length: 1200 };
}

function truck(): Scenario {
  const step: CameraStep = {
    kind: 'camera',
    at: 0,
    scenario: 'truck',
    deviceId: DEMO_MUCK.cameraId,
    truck: 'offRoute',
    confidence: 0.93,
    say: { zh: `解放碑摄像头识别渣土车撒漏：${DEMO_MUCK.plates.offRoute}（偏离核准路线）`, en: `the 解放碑 camera sees a muck truck spilling: ${DEMO_MUCK.plates.offRoute} (off its permitted route)` },
  };
  return { name: 'truck', zh: '渣土车撒漏', en: 'a muck truck spilling its load', devices: [DEMO_MUCK.cameraId], responders: [], steps: [step], length: 0 };
}

function fire(): Scenario {
  const device = SCENARIO_DEVICES.fire.id;
  const steps: TelemetryStep[] = [];
  const t = (at: number, temperature: number, smoke: number, flame: 0 | 1, say?: Say) =>
    steps.push({ kind: 'telemetry', at, scenario: 'fire', deviceId: device, values: { temperature: round(temperature, 1), smoke: round(smoke, 1), fire: flame }, ...(say ? { say } : {}) });
  t(0, 24, 0.4, 0, { zh: '云阳县林区：烟雾浓度上升', en: '云阳 forest: smoke rising' });
  t(60, 31, 3, 0);
  t(120, 45, 8, 1, { zh: '火点识别：疑似明火', en: 'flame recognised' });
  t(180, 72, 18, 1, { zh: '温度 72 °C、烟雾 18 %obs/m：林区火情', en: '72 °C with smoke 18 %obs/m: forest fire' });
  t(240, 140, 35, 1);
  t(300, 260, 55, 1);
  t(360, 340, 70, 1, { zh: '火势扩大，温度超过 300 °C', en: 'the fire spreads, over 300 °C' });
  for (let at = 420; at <= 900; at += 60) t(at, 330 + 25 * wobble(at), 68 + 5 * wobble(at), 1);
  t(960, 120, 30, 0, { zh: '明火扑灭，余火清理', en: 'flames out, mopping up' });
  t(1080, 55, 9, 0);
  t(1200, 35, 3, 0);
  t(1320, 26, 0.8, 0, { zh: '林区温度、烟雾恢复正常', en: 'temperature and smoke back to normal' });
  const last = steps[steps.length - 1]!;
  steps[steps.length - 1] = { ...last, release: true };
  return { name: 'fire', zh: '云阳县森林火情', en: 'forest fire in 云阳', devices: [device], responders: [], steps, length: 1320 };
}

const BUILDERS: Readonly<Record<ScenarioName, () => Scenario>> = { burst, underpass, truck, fire };

export function scenario(name: ScenarioName): Scenario {
  return BUILDERS[name]();
}

/**
 * `--scenario` as given (`all`, a name, or names separated by commas) → the names, in the order
 * of `all`; throws a RangeError naming the choices for anything else.
 */
export function parseScenarioNames(text: string): ScenarioName[] {
  const parts = text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (parts.length === 0) throw new RangeError(`--scenario needs a name: ${SCENARIO_CHOICES.join(', ')}`);
  const out = new Set<ScenarioName>();
  for (const p of parts) {
    if (p === 'all') SCENARIO_NAMES.forEach((n) => out.add(n));
    else if ((SCENARIO_NAMES as readonly string[]).includes(p)) out.add(p as ScenarioName);
    else throw new RangeError(`unknown scenario ${JSON.stringify(p)}: ${SCENARIO_CHOICES.join(', ')} (or several, comma-separated)`);
  }
  return SCENARIO_NAMES.filter((n) => out.has(n));
}

export interface Programme {
  readonly scenarios: readonly Scenario[];
  /** Every step of every scenario, at its staggered offset, sorted by time (stable). */
  readonly steps: readonly ScenarioStep[];
  /** Scenario seconds until the last step. */
  readonly length: number;
}

/**
 * The scenarios to play together. A single one starts at 0; several are staggered as in `all`
 * (each at its ALL_STAGGER offset), so that their alerts arrive one after another.
 */
export function programme(names: readonly ScenarioName[]): Programme {
  const scenarios = names.map(scenario);
  const stagger = scenarios.length > 1;
  const steps = scenarios.flatMap((s) => s.steps.map((st) => ({ ...st, at: st.at + (stagger ? ALL_STAGGER[s.name] : 0) })));
  steps.sort((a, b) => a.at - b.at);
  const length = steps.reduce((m, s) => Math.max(m, s.at), 0);
  return { scenarios, steps, length };
}

/** Real milliseconds from the start of the run to a step at `at` scenario seconds, played at `speed`. */
export function realOffsetMs(at: number, speed: number): number {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number (got ${speed})`);
  return (at * 1000) / speed;
}

/** The event a camera step publishes on `cityloop/devices/{camera}/events`, stamped `now`. */
export function cameraPayload(step: CameraStep, now: Date): Record<string, unknown> {
  return demoMuckSpillEvent(step.truck, now, step.confidence);
}
