/**
 * What a simulation starts from (pure but for the API call): which devices play, the device list
 * (the API's answer or a file), their secrets, durations as typed, and the scenarios' needs.
 */
import { DEVICE_TYPES } from '../../src/sensing/devices/device-types.ts';
import { durationMs } from '../../src/sensing/rules/rule-definition.ts';
import { hasStream } from './streams.ts';
import { SCENARIO_DEVICES, type ScenarioName } from './scenarios.ts';

/** `usage`: wrong options (exit 2); otherwise the simulation could not run (exit 1). */
export class SimulationError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

export interface SimDevice {
  readonly id: string;
  readonly type: string;
  /** What it watches, when the list says (asset-scoped rules, such as the burst, need it). */
  readonly assetId?: string | null;
}

// ───────────────────────────── choosing devices ─────────────────────────────

/**
 * Up to `n` devices that have a normal stream, taken by type in turn (every type appears before
 * any has two), each type's devices in id order: a small fleet shows the whole city's kinds.
 */
export function selectDevices(all: readonly SimDevice[], n: number): SimDevice[] {
  const order = [...DEVICE_TYPES.map((t) => t.type), ...new Set(all.map((d) => d.type))];
  const queues = new Map<string, SimDevice[]>();
  for (const d of [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (!hasStream(d.type)) continue;
    let q = queues.get(d.type);
    if (!q) queues.set(d.type, (q = []));
    q.push(d);
  }
  const types = [...new Set(order)].filter((t) => queues.has(t));
  const out: SimDevice[] = [];
  const seen = new Set<string>();
  for (let round = 0; out.length < n; round++) {
    let took = false;
    for (const t of types) {
      const d = queues.get(t)![round];
      if (!d || out.length >= n) continue;
      took = true;
      if (!seen.has(d.id)) {
        seen.add(d.id);
        out.push(d);
      }
    }
    if (!took) break;
  }
  return out;
}

// ───────────────────────────── inputs ─────────────────────────────

/** `10m`, `90s`, `1h30m`, `2d`, or plain seconds (`45`, `0.5`) → milliseconds; null when it is none of these. */
export function parseDurationText(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const ms = durationMs(t);
  return ms === null || ms <= 0 ? null : ms;
}

/** A device list: the API's answer (`{"items": [...]}`) or an array of `{id, type}`; disabled devices left out. */
export function readDeviceList(json: unknown, source: string): SimDevice[] {
  const items = Array.isArray(json) ? json : typeof json === 'object' && json !== null && Array.isArray((json as { items?: unknown }).items) ? (json as { items: unknown[] }).items : null;
  if (items === null) throw new SimulationError(`${source}: expected an array of devices or {"items": [...]}`);
  const out: SimDevice[] = [];
  items.forEach((x, i) => {
    const d = x as { id?: unknown; type?: unknown; status?: unknown; assetId?: unknown };
    if (typeof d?.id !== 'string' || typeof d.type !== 'string') throw new SimulationError(`${source}: device ${i} has no string id and type`);
    if (d.status !== undefined && d.status !== 'active') return;
    out.push(d.assetId === undefined ? { id: d.id, type: d.type } : { id: d.id, type: d.type, assetId: typeof d.assetId === 'string' ? d.assetId : null });
  });
  return out;
}

/** `{"device-id": "secret", …}`. */
export function readSecrets(json: unknown, source: string): Record<string, string> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SimulationError(`${source}: expected {"device-id": "secret", …}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(json)) {
    if (typeof v !== 'string' || v === '') throw new SimulationError(`${source}: the secret of ${k} is not a string`);
    out[k] = v;
  }
  return out;
}

/** Signs in to the platform's API and lists the devices the account may see. */
export async function fetchDeviceList(api: string, username: string, password: string): Promise<SimDevice[]> {
  const base = api.replace(/\/+$/, '');
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new SimulationError(`cannot reach the API at ${base} (${cause?.code ?? cause?.message ?? (e as Error).message}): start the platform (npm start), pass --api, or give the devices with --devices-file`);
    }
  };
  const signIn = await call('/api/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!signIn.ok) throw new SimulationError(`signing in to ${base} as ${username} failed (HTTP ${signIn.status}): pass --user, and the password in CITYLOOP_PASSWORD`);
  const { token } = (await signIn.json()) as { token: string };
  const res = await call('/api/v1/devices?limit=100000', { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new SimulationError(`listing devices at ${base} failed (HTTP ${res.status})`);
  return readDeviceList(await res.json(), `${base}/api/v1/devices`);
}

/** The main the burst scenario's meter is on in the demo city. */
export const BURST_MAIN = 'demo-wm-500103-changjiang-2';

/**
 * What will keep a scenario from raising its alert, judged from the device list: the burst rule
 * combines the meters of one main (asset scope), so a meter that watches no main raises nothing.
 */
export function scenarioProblems(names: readonly ScenarioName[], list: readonly SimDevice[]): string[] {
  const out: string[] = [];
  const meter = list.find((d) => d.id === SCENARIO_DEVICES.burst.id);
  if (names.includes('burst') && meter && meter.assetId === null) {
    out.push(
      `${meter.id} watches no water main (assetId null), so the asset-scoped rule water-main-burst will not see the burst; ` +
        `attach it to ${BURST_MAIN} (PUT /api/v1/devices/${meter.id} with "assetId": "${BURST_MAIN}", see docs/guides/simulate.md)`,
    );
  }
  return out;
}
