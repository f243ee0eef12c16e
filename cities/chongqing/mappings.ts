/**
 * Chongqing's tables that tie the core's features to its category codes and kinds of unit: which
 * case category a CAP warning suggests, how its categories read as CAP categories in exports,
 * which category a camera event type opens, which kinds of unit read the muck-truck chain, which
 * category each appeal classifier label routes to, and the extra fields its Open311 services ask
 * for. The codes are those of categories.ts; the unit kinds those of unit-kinds.ts (tests check
 * every code exists). See docs/reference/city-packs.md.
 */
import type { AppealLabelCategories } from '../../src/appeals/classifier/appeal-categories.ts';
import type { Open311AttributeDefinition } from '../../src/appeals/open311/open311-services.ts';
import type { CapCategoryMapping } from '../../src/sensing/cap/cap-export.ts';
import type { CaseCategoryRule } from '../../src/sensing/cap/cap-warnings.ts';
import type { CameraEventCategories } from '../../src/sensing/muck/camera-event-types.ts';

/**
 * CAP warning → case category, checked in order, words first; the most specific first (a flash
 * flood before a flood, a forest fire before a fire).
 */
export const CAP_WARNING_CATEGORIES: readonly CaseCategoryRule[] = [
  { words: /flash[- ]?flood|山洪/i, categoryCode: 'safety.flash-flood' },
  { words: /landslide|mud ?slide|debris flow|rock ?fall|地质灾害|滑坡|泥石流|崩塌|危岩/i, categoryCode: 'safety.geohazard' },
  { words: /\brain|flood|storm surge|暴雨|大雨|强降雨|洪水|洪涝|内涝|积水/i, categoryCode: 'safety.road-waterlogging' },
  { words: /forest|bush ?fire|wild ?fire|grass ?fire|森林|草原|山火|火险/i, categoryCode: 'safety.forest-fire' },
  { words: /structure fire|building fire|火灾/i, categoryCode: 'safety.fire' },
  // A CAP "Fire" alert that names no kind: the public fire alerts we receive are fire-danger and
  // bushfire warnings, which the forest-fire plan answers.
  { categories: ['Fire'], categoryCode: 'safety.forest-fire' },
];

/** Case category code (or family) → CAP category for exports; the first match wins; anything else: Other. */
export const CAP_EXPORT_CATEGORIES: CapCategoryMapping = [
  ['safety.fire', 'Fire'],
  ['safety.forest-fire', 'Fire'],
  ['safety.road-waterlogging', 'Met'],
  ['safety.underpass-waterlogging', 'Met'],
  ['safety.flash-flood', 'Met'],
  ['safety.geohazard', 'Geo'],
  ['safety', 'Safety'],
  ['emergency', 'Safety'],
  ['traffic', 'Transport'],
  ['appeal.transport', 'Transport'],
  ['municipal', 'Infra'],
  ['environment', 'Env'],
  ['appeal.environment', 'Env'],
  ['appeal.health', 'Health'],
];

/** Camera event type code (src/sensing/muck/camera-event-types.ts) → the case category its alerts suggest. */
export const CAMERA_EVENT_CATEGORIES: CameraEventCategories = {
  muck_spill: 'construction.muck-spillage',
  muck_uncovered: 'construction.muck-uncovered',
  muck_overload: 'construction.muck-uncovered',
  road_waterlogging: 'safety.road-waterlogging',
  smoke_fire: 'safety.fire',
  street_vending: 'street-order.street-vending',
  outside_shop: 'street-order.outside-shop',
  exposed_garbage: 'environment.exposed-garbage',
  manhole_missing: 'municipal.manhole.missing',
  illegal_parking: 'traffic.illegal-parking',
};

/** Units that may read the muck-truck chain and camera events: they enforce (城管) and trace the source (住建). */
export const MUCK_READER_UNIT_KINDS: readonly string[] = ['urban-management', 'housing-construction'];

/** The shipped classifier's seven labels (the TipDM data's first level) → the 12345 hotline families. */
export const APPEAL_LABEL_CATEGORIES: AppealLabelCategories = {
  城乡建设: 'appeal.urban-rural',
  环境保护: 'appeal.environment',
  交通运输: 'appeal.transport',
  教育文体: 'appeal.education-culture',
  劳动和社会保障: 'appeal.labour',
  商贸旅游: 'appeal.commerce-tourism',
  卫生计生: 'appeal.health',
};

/** The categories where someone may be in danger: the emergency families and a gas leak. */
const URGENT = ['emergency.', 'safety.', 'municipal.gas.leak'];

/**
 * The extra attributes Chongqing's Open311 services ask for. Answers are written into the case description as
 * "label：value" lines under 【补充信息】, so no new case fields are needed; the list is data a
 * city may extend. Nothing here asks for personal data (no plate numbers, no names).
 */
export const OPEN311_ATTRIBUTES: readonly Open311AttributeDefinition[] = [
  {
    appliesTo: URGENT,
    code: 'call_emergency',
    datatype: 'string',
    variable: false,
    required: false,
    label: '提示',
    description: {
      zh: '危及人身安全时请立即拨打 119（火警）、120（急救）或 110（报警）；本渠道不能代替报警电话。',
      en: 'If lives are in danger call 119 (fire), 120 (ambulance) or 110 (police) now; this channel does not replace an emergency call.',
    },
  },
  {
    appliesTo: URGENT,
    code: 'casualties',
    datatype: 'singlevaluelist',
    variable: true,
    required: false,
    label: '人员伤亡',
    description: { zh: '现场是否有人受伤或被困？', en: 'Is anyone injured or trapped?' },
    values: [
      { key: 'none', name: { zh: '无人员伤亡', en: 'Nobody hurt' } },
      { key: 'injured', name: { zh: '有人受伤', en: 'Someone is injured' } },
      { key: 'trapped', name: { zh: '有人被困', en: 'Someone is trapped' } },
      { key: 'unknown', name: { zh: '不清楚', en: 'Not known' } },
    ],
  },
  {
    appliesTo: ['appeal.environment.square-dance-noise', 'construction.night-work'],
    code: 'noise_time',
    datatype: 'string',
    variable: true,
    required: false,
    label: '发生时段',
    description: { zh: '噪声通常出现在什么时段？', en: 'When does the noise usually happen?' },
    datatypeDescription: { zh: '例如：每晚 19:30–22:00', en: 'e.g. every evening 19:30–22:00' },
  },
  {
    appliesTo: ['appeal.transport.bus-frequency'],
    code: 'bus_route',
    datatype: 'string',
    variable: true,
    required: true,
    label: '公交线路',
    description: { zh: '哪条公交线路？', en: 'Which bus route?' },
    datatypeDescription: { zh: '线路名称或编号，例如：181 路', en: 'Route name or number, e.g. 181' },
  },
  {
    appliesTo: ['environment.exposed-garbage'],
    code: 'garbage_kind',
    datatype: 'multivaluelist',
    variable: true,
    required: false,
    label: '垃圾种类',
    description: { zh: '是什么垃圾？（可多选）', en: 'What kind of waste? (choose any)' },
    values: [
      { key: 'household', name: { zh: '生活垃圾', en: 'Household waste' } },
      { key: 'construction', name: { zh: '建筑垃圾', en: 'Construction waste' } },
      { key: 'bulky', name: { zh: '大件家具', en: 'Bulky furniture' } },
      { key: 'other', name: { zh: '其他', en: 'Other' } },
    ],
  },
];
