/**
 * Names of the fixed vocabularies a page shows: priorities, tiers, sources, roles, the steps of a
 * case, the outcomes of automatic steps, plan facts, event types. Data the server owns (category
 * names, case and task state names, server messages) comes from the server in the caller's
 * language; these are the words of the code itself. A page never shows a code: `nameOf` falls back
 * to a neutral word, never to the code.
 */

export type Pair = readonly [zh: string, en: string];
export type Tr = (zh: string, en: string) => string;

export const PRIORITY_NAMES: Record<string, Pair> = { low: ['低', 'low'], normal: ['一般', 'normal'], high: ['高', 'high'], urgent: ['紧急', 'urgent'] };
export const TIER_NAMES: Record<string, Pair> = { city: ['市级', 'city'], district: ['区县级', 'district'], street: ['镇街级', 'street'] };
export const LEVEL_NAMES: Record<string, Pair> = { city: ['市', 'city'], district: ['区县', 'district'], street: ['街道', 'street'], community: ['社区', 'community'], grid: ['网格', 'grid'] };
export const SOURCE_NAMES: Record<string, Pair> = {
  sensor: ['传感器', 'sensor'],
  camera: ['视频', 'camera'],
  citizen: ['市民', 'citizen'],
  grid_worker: ['网格员', 'grid worker'],
  external: ['外部系统', 'external system'],
  inspection: ['巡查', 'inspection'],
  hotline: ['热线', 'hotline'],
  app: ['手机应用', 'app'],
  open311: ['开放接口', 'Open311'],
};
export const ROLE_NAMES: Record<string, Pair> = { lead: ['主办', 'lead'], assist: ['协办', 'assist'] };
export const SATISFACTION_NAMES: Record<string, Pair> = { satisfied: ['满意', 'satisfied'], basically_satisfied: ['基本满意', 'basically satisfied'], unsatisfied: ['不满意', 'unsatisfied'] };

/** The steps of a case a person takes (the server names them too, in `allowedActions[].name`). */
export const COMMAND_NAMES: Record<string, Pair> = {
  register: ['立案', 'Register'],
  decline: ['不予立案', 'Decline'],
  dispatch: ['派遣', 'Dispatch'],
  apply_plan: ['一键调度', 'One-click dispatch'],
  accept_joint: ['联合受理', 'Accept joint case'],
  agree_coordination: ['协同议定', 'Record agreement'],
  accept_task: ['签收', 'Accept'],
  start_task: ['开始处置', 'Start'],
  complete_task: ['办结', 'Done'],
  return_task: ['退回', 'Return'],
  report_back: ['反馈', 'Report back'],
  check: ['核查', 'Check'],
  close: ['结案', 'Close'],
  evaluate: ['评价', 'Evaluate'],
  reopen: ['重新办理', 'Reopen'],
  escalate: ['上报上级', 'Escalate'],
  park: ['挂账', 'Park'],
  unpark: ['解除挂账', 'Unpark'],
  remind: ['催办', 'Remind'],
  supervise: ['督办', 'Supervise'],
};

/** An automatic step of a plan: its kind, phase and outcome. */
export const ACTION_KIND_NAMES: Record<string, Pair> = { device: ['设备指令', 'device command'], notify: ['通知', 'notification'] };
export const ACTION_PHASE_NAMES: Record<string, Pair> = { apply: ['执行', 'applied'], undo: ['撤销', 'undone'], override: ['人工干预', 'override'] };
export const ACTION_OUTCOME_NAMES: Record<string, Pair> = { confirmed: ['已确认', 'confirmed'], failed: ['失败', 'failed'], delivered: ['已送达', 'delivered'], undelivered: ['未送达', 'not delivered'] };
/** Where a notification goes: `log:…`, `webhook:…`, `file:…` and the like. */
export const CHANNEL_NAMES: Record<string, Pair> = { log: ['值班日志', 'duty log'], webhook: ['接口推送', 'webhook'], file: ['文件', 'file'], sms: ['短信', 'SMS'], mqtt: ['设备', 'device'] };

/** The facts the shipped plans read from the map; a plan's own fact without a name is shown by its kind. */
export const FACT_NAMES: Record<string, Pair> = {
  water_main: ['最近供水管段', 'Nearest water main'],
  water_point: ['最近取水点', 'Nearest water point'],
  nearby_grids: ['300 米内网格', 'Grids within 300 m'],
  grids: ['周边网格', 'Grids around'],
  manhole: ['最近窨井', 'Nearest manhole'],
  signals: ['附近信号灯', 'Traffic signals nearby'],
  underpass: ['最近下穿道', 'Nearest underpass'],
  villages: ['周边村落', 'Villages around'],
  level: ['响应级别', 'Level'],
  district: ['区县', 'District'],
  street: ['街道', 'Street'],
  community: ['社区', 'Community'],
  grid: ['网格', 'Grid'],
};


/** The name of a code in a table, in the page's language; an unknown code gets `fallback`, never itself. */
export function nameOf(table: Record<string, Pair>, code: string | null | undefined, tr: Tr, fallback: Pair = ['其他', 'other']): string {
  const n = code ? table[code] : undefined;
  return n ? tr(n[0], n[1]) : tr(fallback[0], fallback[1]);
}

/** Event names live with the case events' table; re-exported so pages find every vocabulary here. */
export { ALERT_EVENT_NAMES, eventName } from './components/event-names.ts';

/** How many, with the English plural: `count(1, '项任务', 'task', tr)` → "1 项任务" / "1 task". */
export function count(n: number, zhUnit: string, enNoun: string, tr: Tr, enPlural = `${enNoun}s`): string {
  return tr(`${n} ${zhUnit}`, `${n} ${n === 1 ? enNoun : enPlural}`);
}

/** A notification's target (`log:water-hotline`) or a device's, as a name: its channel and nothing raw. */
export function targetName(kind: string, target: string, tr: Tr): string {
  if (kind === 'notify') {
    const channel = target.split(':')[0] ?? '';
    return nameOf(CHANNEL_NAMES, channel, tr, ['通知渠道', 'channel']);
  }
  return tr('现场设备', 'field device');
}

/** The flow models an analysis runs (src/analyses/models/): 地形处理, 静态淹没, 山洪淹没, 溃坝. */
export const MODEL_NAMES: Record<string, Pair> = {
  fill: ['地形处理', 'Terrain processing'],
  lake: ['静态淹没', 'Static inundation'],
  flood: ['山洪淹没', 'Flash flood'],
  dambreak: ['溃坝', 'Dam break'],
};
/** The states of an analysis run (a durable job). */
export const ANALYSIS_STATE_NAMES: Record<string, Pair> = {
  queued: ['排队中', 'Queued'],
  running: ['计算中', 'Running'],
  succeeded: ['已完成', 'Done'],
  failed: ['失败', 'Failed'],
  cancelled: ['已取消', 'Cancelled'],
};
/** The result layers of a run, and the rasters' own kinds. */
export const LAYER_NAMES: Record<string, Pair> = {
  maxDepth: ['最大水深', 'Maximum depth'],
  depth: ['水深', 'Depth'],
  finalDepth: ['末时刻水深', 'Final depth'],
  arrivalTime: ['到达时间', 'Arrival time'],
  maxVelocity: ['最大流速', 'Maximum speed'],
  filled: ['填洼后高程', 'Filled terrain'],
  fillDepth: ['填洼深度', 'Fill depth'],
  flowDirection: ['流向', 'Flow direction'],
  flowAccumulation: ['汇流累积量', 'Flow accumulation'],
  hand: ['相对高程', 'Height above drainage'],
  dem: ['地形高程', 'Terrain elevation'],
  roughness: ['糙率', 'Roughness'],
  population: ['人口', 'Population'],
  result: ['计算结果', 'Result'],
};
/** Units of the legends (the server names them; Chinese pages show no English unit words). */
export const UNIT_NAMES: Record<string, Pair> = {
  m: ['米', 'm'],
  min: ['分钟', 'min'],
  s: ['秒', 's'],
  'm/s': ['米/秒', 'm/s'],
  'm³': ['立方米', 'm³'],
  cells: ['格', 'cells'],
};
/** How a dam's breach opens. */
export const BREACH_NAMES: Record<string, Pair> = { sudden: ['瞬间全溃', 'Sudden'], gradual: ['逐渐溃决', 'Gradual'] };
