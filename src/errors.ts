/**
 * The one error catalogue. Every error the platform reports has a stable code, an HTTP status
 * and a message template in Chinese and English. Codes are never reused or renamed: clients
 * branch on them. `docs/reference/errors.md` documents each one (a test checks it).
 */
export interface ErrorDefinition {
  readonly status: number;
  readonly titleZh: string;
  readonly titleEn: string;
  readonly zh: string;
  readonly en: string;
  /** Sent as Retry-After (seconds): the fault is passing, and the client should come back. */
  readonly retryAfterSeconds?: number;
}

export const ERRORS = {
  VALIDATION_FAILED: { status: 400, titleZh: '请求内容不合法', titleEn: 'Invalid request', zh: '请求内容不合法：{detail}', en: 'The request is invalid: {detail}' },
  JSON_TOO_DEEP: { status: 400, titleZh: 'JSON 嵌套过深', titleEn: 'JSON nested too deeply', zh: 'JSON 嵌套层数超过上限 {limit} 层', en: 'The JSON is nested deeper than the limit of {limit} levels' },
  TEXT_FORBIDDEN_CHARACTER: { status: 400, titleZh: '文本含有不允许的字符', titleEn: 'Forbidden character in text', zh: '文本含有不允许的字符（控制字符或不成对的代理项）：{detail}', en: 'The text holds a character that is not accepted (a control character or an unpaired surrogate): {detail}' },
  BAD_COORDINATES: { status: 400, titleZh: '坐标不合法', titleEn: 'Invalid coordinates', zh: '坐标不合法：{detail}', en: 'Invalid coordinates: {detail}' },
  AUTH_REQUIRED: { status: 401, titleZh: '需要登录', titleEn: 'Sign-in required', zh: '请先登录', en: 'Sign-in required' },
  AUTH_INVALID_CREDENTIALS: { status: 401, titleZh: '登录失败', titleEn: 'Wrong credentials', zh: '用户名或密码错误', en: 'Wrong user name or password' },
  AUTH_INVALID_TOKEN: { status: 401, titleZh: '令牌无效', titleEn: 'Invalid token', zh: '令牌无效或已过期', en: 'The token is invalid or has expired' },
  FORBIDDEN_ROLE: { status: 403, titleZh: '角色无权操作', titleEn: 'Role not allowed', zh: '当前角色无权执行此操作：{action}', en: 'Your role may not do this: {action}' },
  DEMO_ACCOUNT_LOCAL_ONLY: { status: 403, titleZh: '演示账号只能在本机登录', titleEn: 'Demo accounts sign in locally only', zh: '演示模式下，使用公开演示密码的账号只能从本机（127.0.0.1）登录；请在本机登录，或关闭演示模式（DEMO=false）并设置各自的密码', en: 'While the demo runs, accounts with the published demo password sign in from this machine only (loopback); sign in locally, or turn the demo off (DEMO=false) and give each account its own password' },
  FORBIDDEN_JURISDICTION: { status: 403, titleZh: '超出辖区或单位范围', titleEn: 'Outside your jurisdiction', zh: '该事项不在您的辖区或单位范围内', en: 'This matter is outside your jurisdiction or unit' },
  NOT_FOUND: { status: 404, titleZh: '未找到', titleEn: 'Not found', zh: '未找到{what}：{id}', en: '{what} not found: {id}' },
  ROUTE_NOT_FOUND: { status: 404, titleZh: '接口不存在', titleEn: 'No such route', zh: '接口不存在：{method} {url}', en: 'No such route: {method} {url}' },
  CONFLICT_VERSION: { status: 409, titleZh: '版本冲突', titleEn: 'Version conflict', zh: '事项已被他人修改（期望版本 {expected}，当前版本 {actual}），请刷新后重试', en: 'The case was changed by someone else (expected version {expected}, now {actual}); reload and retry' },
  CASE_INVALID_TRANSITION: { status: 409, titleZh: '事项状态不允许此操作', titleEn: 'Action not allowed in this case state', zh: '事项当前状态为“{stateZh}”，不能执行“{actionZh}”', en: 'The case is in state "{stateEn}"; "{actionEn}" is not allowed' },
  TASK_INVALID_TRANSITION: { status: 409, titleZh: '任务状态不允许此操作', titleEn: 'Action not allowed in this task state', zh: '任务当前状态为“{stateZh}”，不能执行“{actionZh}”', en: 'The task is in state "{stateEn}"; "{actionEn}" is not allowed' },
  TASK_ARRIVAL_TOO_FAR: { status: 409, titleZh: '不在现场', titleEn: 'Not on site', zh: '您的位置距现场约 {distance} 米，超出到场范围 {limit} 米，无法登记到场', en: 'Your position is about {distance} m from the site, beyond the {limit} m of an arrival; arrival not recorded' },
  TASK_ALREADY_ARRIVED: { status: 409, titleZh: '已登记到场', titleEn: 'Already on site', zh: '该任务已于 {at} 登记到场', en: 'Arrival on site was already recorded for this task at {at}' },
  CASE_RULE_VIOLATED: { status: 409, titleZh: '不满足办理条件', titleEn: 'Handling rule violated', zh: '不满足办理条件：{detail}', en: 'A handling rule forbids this: {detail}' },
  ALERT_INVALID_TRANSITION: { status: 409, titleZh: '预警状态不允许此操作', titleEn: 'Action not allowed in this alert state', zh: '预警当前状态为“{stateZh}”，不能执行“{action}”', en: 'The alert is in state "{state}"; "{action}" is not allowed' },
  EXPORT_TOO_LARGE: { status: 422, titleZh: '导出条数超过上限', titleEn: 'Too many cases to export', zh: '符合条件的事项超过 {limit} 件，请缩小筛选范围后再导出', en: 'More than {limit} cases match; narrow the filter and export again' },
  TOO_MANY_VIEWS: { status: 422, titleZh: '保存的视图过多', titleEn: 'Too many saved views', zh: '每人最多保存 {limit} 个视图，请先删除不用的', en: 'You may keep at most {limit} saved views; delete one you no longer use' },
  ALREADY_EXISTS: { status: 409, titleZh: '已存在', titleEn: 'Already exists', zh: '{what}已存在：{id}', en: '{what} already exists: {id}' },
  GEO_OUTSIDE_CITY: { status: 422, titleZh: '位置不在本市范围内', titleEn: 'Outside the city', zh: '位置不在本市范围内（{lng}, {lat}）', en: 'The location is outside the city ({lng}, {lat})' },
  GEO_INVALID_FEATURE: { status: 422, titleZh: '地理要素无效', titleEn: 'Invalid feature', zh: '第 {index} 个要素无效：{reason}', en: 'Feature {index} is invalid: {reason}' },
  UNKNOWN_CATEGORY: { status: 422, titleZh: '未知的事项类别', titleEn: 'Unknown category', zh: '未知的事项类别：{code}', en: 'Unknown category: {code}' },
  UNKNOWN_UNIT: { status: 422, titleZh: '未知的单位', titleEn: 'Unknown unit', zh: '未知的单位：{id}', en: 'Unknown unit: {id}' },
  PLAN_INVALID: { status: 422, titleZh: '预案无效', titleEn: 'Invalid plan', zh: '预案 {plan} 无效：{detail}', en: 'Plan {plan} is invalid: {detail}' },
  PLAN_NO_MATCH: { status: 422, titleZh: '没有适用的预案', titleEn: 'No plan applies', zh: '没有适用于该事项的预案', en: 'No plan applies to this case' },
  PLAN_UNRESOLVED: { status: 422, titleZh: '预案无法执行', titleEn: 'Plan cannot run', zh: '预案 {plan} 无法执行：{detail}', en: 'Plan {plan} cannot run: {detail}' },
  RULE_INVALID: { status: 422, titleZh: '告警规则无效', titleEn: 'Invalid rule', zh: '告警规则无效：{detail}', en: 'The rule is invalid: {detail}' },
  ROUTING_TABLE_INVALID: { status: 422, titleZh: '派单目录无效', titleEn: 'Invalid routing table', zh: '派单目录无效：{detail}', en: 'The routing table is invalid: {detail}' },
  CATEGORIES_INVALID: { status: 422, titleZh: '事项类别无效', titleEn: 'Invalid categories', zh: '事项类别清单无效：{detail}', en: 'The category list is invalid: {detail}' },
  CATEGORY_IN_USE: { status: 409, titleZh: '事项类别仍在使用', titleEn: 'Category in use', zh: '以下事项类别仍在使用，不能删除：{codes}', en: 'These categories are still in use and cannot be removed: {codes}' },
  CATEGORIES_CONFLICT: { status: 409, titleZh: '事项类别已被他人修改', titleEn: 'Categories changed meanwhile', zh: '事项类别刚被他人保存，请刷新后再改', en: 'Someone else saved the category list at the same moment; reload it and make your change again' },
  ATTACHMENT_TOO_LARGE: { status: 413, titleZh: '附件过大', titleEn: 'Attachment too large', zh: '附件过大（{size} 字节，上限 {limit} 字节）', en: 'Attachment too large ({size} bytes, limit {limit})' },
  PAYLOAD_TOO_LARGE: { status: 413, titleZh: '请求体过大', titleEn: 'Payload too large', zh: '请求体过大', en: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, titleZh: '不支持的内容类型', titleEn: 'Unsupported media type', zh: '不支持的内容类型：{type}', en: 'Unsupported media type: {type}' },
  CAP_REFUSED: { status: 422, titleZh: 'CAP 预警消息被拒收', titleEn: 'CAP message refused', zh: 'CAP 预警消息被拒收：{detail}', en: 'The CAP message was refused: {detail}' },
  OUTBOUND_REFUSED: { status: 422, titleZh: '不允许的外部请求', titleEn: 'Outbound request refused', zh: '服务器不会向该地址发出请求：{reasonZh}', en: 'The server will not send a request there: {reason}' },
  OUTBOUND_FAILED: { status: 502, titleZh: '外部请求失败', titleEn: 'Outbound request failed', zh: '外部请求失败：{reasonZh}', en: 'The outbound request failed: {reason}' },
  TELEMETRY_REFUSED: { status: 422, titleZh: '遥测数据被拒收', titleEn: 'Telemetry refused', zh: '遥测数据被拒收（已转入死信）：{detail}', en: 'The telemetry was refused (kept in the dead letters): {detail}' },
  AUTH_TOTP_REQUIRED: { status: 401, titleZh: '需要动态验证码', titleEn: 'One-time code required', zh: '该账号已启用双因素认证，请同时填写动态验证码（totp）', en: 'This account uses a second factor: send the one-time code (totp) with the password' },
  AUTH_TOTP_INVALID: { status: 401, titleZh: '动态验证码错误', titleEn: 'Wrong one-time code', zh: '动态验证码错误、已过期或已使用过', en: 'The one-time code is wrong, out of date or already used' },
  OLD_PASSWORD_WRONG: { status: 403, titleZh: '原密码错误', titleEn: 'Wrong current password', zh: '原密码错误，密码未修改', en: 'The current password is wrong; the password was not changed' },
  TOKEN_SCOPE_MISSING: { status: 403, titleZh: '令牌权限范围不足', titleEn: 'Token scope missing', zh: '此 API 令牌的权限范围不含“{scope}”', en: 'This API token does not carry the scope "{scope}"' },
  SESSION_REQUIRED: { status: 403, titleZh: '需要登录会话', titleEn: 'Session required', zh: '此操作需要用户名密码登录的会话，API 令牌不能执行：{action}', en: 'This needs a signed-in session, not an API token: {action}' },
  TOTP_ALREADY_ENABLED: { status: 409, titleZh: '双因素认证已启用', titleEn: 'Second factor already on', zh: '双因素认证已启用；如需更换，请先用验证码停用', en: 'The second factor is already on; turn it off with a code before enrolling again' },
  TOTP_NOT_ENABLED: { status: 409, titleZh: '未启用双因素认证', titleEn: 'Second factor not on', zh: '该账号未启用（或未开始登记）双因素认证', en: 'This account has no second factor (or no enrolment begun)' },
  SIGN_IN_THROTTLED: { status: 429, titleZh: '登录尝试过于频繁', titleEn: 'Too many sign-in attempts', zh: '登录尝试过于频繁，请在 {seconds} 秒后（{retryAt}）再试', en: 'Too many sign-in attempts; try again in {seconds} s (at {retryAt})' },
  RATE_LIMITED: { status: 429, titleZh: '请求过于频繁', titleEn: 'Too many requests', zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  OVERLOADED: { status: 503, titleZh: '系统繁忙', titleEn: 'Overloaded', zh: '系统繁忙，请稍后重试', en: 'The platform is busy; retry shortly', retryAfterSeconds: 2 },
  STORE_UNAVAILABLE: { status: 503, titleZh: '数据库暂不可用', titleEn: 'Store unavailable', zh: '数据库暂时不可用或响应超时，请稍后重试', en: 'The database is unavailable or did not answer in time; retry shortly', retryAfterSeconds: 5 },
  STORE_FULL: { status: 503, titleZh: '存储空间已满', titleEn: 'Storage full', zh: '存储空间已满，暂时无法保存，请联系管理员', en: 'The storage is full; nothing can be saved until an operator frees space', retryAfterSeconds: 60 },
  ANALYSIS_INPUT_INVALID: { status: 422, titleZh: '分析输入不合法', titleEn: 'Invalid analysis input', zh: '分析输入不合法（{field}）：{detail}', en: 'Invalid analysis input ({field}): {detail}' },
  ANALYSIS_RASTER_GONE: { status: 410, titleZh: '输入栅格已删除', titleEn: 'Input raster deleted', zh: '输入栅格 {rasterId} 已删除，不能用于分析', en: 'The input raster {rasterId} was deleted; it cannot be analysed' },
  ANALYSIS_RASTER_CHANGED: { status: 409, titleZh: '输入栅格已改变', titleEn: 'Input raster changed', zh: '输入栅格 {rasterId} 的内容已与原分析不同，不能按原输入重算', en: 'The cells of the input raster {rasterId} are no longer those the run used; it cannot be repeated with the same inputs' },
  EVACUATION_NOBODY_TO_MOVE: { status: 422, titleZh: '无需转移', titleEn: 'Nobody to move', zh: '分析 {id} 的影响范围内没有需要转移的人员，未启动避险转移', en: 'The impact of analysis {id} reaches nobody who has to move; no evacuation was started' },
  ANALYSIS_INVALID_STATE: { status: 409, titleZh: '分析状态不允许此操作', titleEn: 'Action not allowed in this analysis state', zh: '分析当前状态为“{stateZh}”，不能{actionZh}', en: 'The analysis is {state}; it cannot be {action}' },
  RASTER_UNREADABLE: { status: 422, titleZh: '栅格文件无法读取', titleEn: 'Raster file unreadable', zh: '栅格文件无法读取：{detail}', en: 'The raster file cannot be read: {detail}' },
  RASTER_CRS_UNKNOWN: { status: 422, titleZh: '栅格坐标系未知', titleEn: 'Unknown raster CRS', zh: '栅格文件的坐标系无法识别：{detail}', en: 'The coordinate system of the raster file is not known: {detail}' },
  RASTER_NOT_NORTH_UP: { status: 422, titleZh: '栅格有旋转或倾斜', titleEn: 'Raster rotated or skewed', zh: '栅格文件有旋转或倾斜，只接受正北朝上的栅格；请先用 gdalwarp 重采样', en: 'The raster file is rotated or skewed; only north-up rasters are accepted (resample it with gdalwarp first)' },
  RASTER_ALL_NODATA: { status: 422, titleZh: '栅格没有有效值', titleEn: 'Raster has no data', zh: '栅格文件的每个像元都是无数据值', en: 'Every cell of the raster file is nodata' },
  RASTER_TOO_LARGE: { status: 413, titleZh: '栅格过大', titleEn: 'Raster too large', zh: '栅格文件有 {cells} 个像元，超过上限 {limit}（RASTER_MAX_CELLS）', en: 'The raster file has {cells} cells, more than the limit of {limit} (RASTER_MAX_CELLS)' },
  GONE: { status: 410, titleZh: '已删除', titleEn: 'Deleted', zh: '{what}已于 {at} 删除：{id}', en: 'The {what} was deleted at {at}: {id}' },
  INTERNAL: { status: 500, titleZh: '服务器内部错误', titleEn: 'Internal error', zh: '服务器内部错误（追踪号 {traceId}）', en: 'Internal error (trace id {traceId})' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERRORS;
export type Lang = 'zh' | 'en';

/** What a NOT_FOUND or ALREADY_EXISTS names, in both languages (a `what` like '设备/device' carries both itself). */
const THING_NAMES: Record<string, readonly [string, string]> = {
  case: ['事项', 'case'],
  task: ['任务', 'task'],
  attachment: ['附件', 'attachment'],
  user: ['用户', 'user'],
  rule: ['告警规则', 'rule'],
  'rule version': ['告警规则版本', 'rule version'],
  plan: ['预案', 'plan'],
  'plan version': ['预案版本', 'plan version'],
  'plan action': ['预案动作', 'plan action'],
  'routing table': ['派单目录', 'routing table'],
  'routing table version': ['派单目录版本', 'routing table version'],
  'category list version': ['事项类别清单版本', 'category list version'],
  center: ['指挥中心', 'center'],
  jurisdiction: ['辖区', 'jurisdiction'],
  truck: ['车辆', 'truck'],
  service: ['服务', 'service'],
  resend: ['重发', 'resend'],
  'API token': ['API 令牌', 'API token'],
  analysis: ['分析', 'analysis'],
  raster: ['栅格', 'raster'],
  'analysis layer': ['分析结果图层', 'analysis layer'],
  'control character': ['控制字符', 'control character'],
  'unpaired surrogate': ['不成对的代理项', 'unpaired surrogate'],
};

function thingName(what: unknown, lang: Lang): unknown {
  if (typeof what !== 'string') return what;
  const known = THING_NAMES[what];
  if (known) return lang === 'zh' ? known[0] : known[1];
  const both = /^([^/]+)\/([^/]+)$/.exec(what);
  if (both) return lang === 'zh' ? both[1] : both[2];
  return what;
}

/**
 * The values of a message in one language: a value `x` may come with its Chinese form `xZh`
 * (a rule's reason, a detail), used in Chinese; `what` is named through `THING_NAMES`.
 */
function paramsIn(params: Record<string, unknown>, lang: Lang): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  if ('what' in out) out.what = thingName(out.what, lang);
  if (lang === 'zh') {
    for (const k of Object.keys(params)) {
      const zh = params[`${k}Zh`];
      if (!k.endsWith('Zh') && typeof zh === 'string') out[k] = zh;
    }
  }
  return out;
}

function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

/** An error the platform means to report: it carries its code and the values for the message. */
export class CityLoopError extends Error {
  readonly code: ErrorCode;
  readonly params: Readonly<Record<string, unknown>>;
  /** Extra members for problem+json (e.g. the list of invalid features). */
  readonly extra: Readonly<Record<string, unknown>> | undefined;
  constructor(code: ErrorCode, params: Record<string, unknown> = {}, extra?: Record<string, unknown>) {
    super(fill(ERRORS[code].en, paramsIn(params, 'en')));
    this.name = 'CityLoopError';
    this.code = code;
    this.params = params;
    this.extra = extra;
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
  localized(lang: Lang): string {
    return fill(ERRORS[this.code][lang], paramsIn(this.params, lang));
  }
}

export function isCityLoopError(e: unknown): e is CityLoopError {
  return e instanceof CityLoopError;
}

export function errorMessage(code: ErrorCode, params: Record<string, unknown>, lang: Lang): string {
  return fill(ERRORS[code][lang], paramsIn(params, lang));
}
