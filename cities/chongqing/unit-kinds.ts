/**
 * The kinds of unit (部门/单位) the demo city has at each tier, and which categories each handles.
 * Names follow Chongqing's district governments (区城市管理局, 区住房城乡建委, 区经济信息委 …);
 * a district's concrete units are instances of these kinds. Which kind leads on a given case is
 * the routing table's decision, not this catalogue's: the order here means nothing.
 */
import type { Tier } from '../../src/org/tiers.ts';
import type { CategoryDefinition } from '../../src/org/category-model.ts';
import { DEMO_CATEGORIES } from './categories.ts';
import * as kinds from '../../src/org/unit-kinds.ts';
import type { UnitKind, UnitKindsByTier } from '../../src/org/unit-kinds.ts';

export type { UnitKind } from '../../src/org/unit-kinds.ts';

const unitKind = (kind: string, nameZh: string, nameEn: string, categoryCodes: string[]): UnitKind =>
  Object.freeze({ kind, nameZh, nameEn, categoryCodes: Object.freeze(categoryCodes) as string[] });

/** Departments and utility companies of one district (区县). */
export const DISTRICT_UNIT_KINDS: readonly UnitKind[] = Object.freeze([
  // In Chongqing the city-management bureau also runs roads, bridges, lighting, drainage and parks.
  unitKind('urban-management', '城市管理局', 'Urban management bureau', [
    'environment',
    'advertising',
    'street-order.street-vending',
    'street-order.outside-shop',
    'street-order.bike-parking',
    'street-order.open-air-barbecue',
    'street-order.stray-dog',
    'construction.muck-spillage',
    'construction.muck-uncovered',
    'construction.road-excavation',
    'construction.illegal-building',
    'emergency.road-collapse',
    'municipal.drain.blocked',
    'municipal.drain.sewage-overflow',
    'municipal.lighting.out',
    'municipal.manhole.missing',
    'municipal.manhole.damaged',
    'traffic.road-damage',
    'traffic.bridge-tunnel',
    'greening',
    'safety.road-waterlogging',
    'safety.underpass-waterlogging',
    'appeal.urban-rural.estate-parking',
  ]),
  unitKind('housing-construction', '住房城乡建委', 'Housing and urban-rural development commission', [
    'construction',
    'emergency.road-collapse',
    'municipal.gas.leak',
    'municipal.gas.facility',
    'safety.underpass-waterlogging',
    'appeal.urban-rural.property-management',
    'appeal.urban-rural.estate-parking',
  ]),
  unitKind('traffic-police', '公安交巡警支队', 'Traffic and patrol police detachment', [
    'traffic.signal-fault',
    'traffic.sign-damaged',
    'traffic.illegal-parking',
    'emergency.traffic-accident',
    'construction.muck-uncovered',
    // Traffic is diverted around burst mains, collapses and flooded roads.
    'municipal.water.burst',
    'emergency.road-collapse',
    'safety.road-waterlogging',
    'safety.underpass-waterlogging',
  ]),
  unitKind('fire-rescue', '消防救援支队', 'Fire and rescue detachment', [
    'safety.fire',
    'safety.forest-fire',
    'emergency.hazmat-leak',
    'municipal.gas.leak',
    'municipal.water.hydrant',
    // The seed: the fire brigade supplies emergency water to residents during a burst.
    'municipal.water.burst',
  ]),
  unitKind('water-supply', '供水公司（水厂）', 'Water supply company (waterworks)', [
    'municipal.water.burst',
    'municipal.water.leak',
    'municipal.water.hydrant',
    'appeal.urban-rural.water-pressure',
  ]),
  unitKind('gas-company', '燃气公司', 'Gas company', ['municipal.gas.leak', 'municipal.gas.facility']),
  unitKind('power-supply', '供电公司', 'Power supply company', ['municipal.power.cable']),
  // The seed: the economy & IT commission brings the power and telecom units to protect their lines.
  unitKind('economy-it', '经济信息委', 'Economy and information technology commission', [
    'municipal.power.cable',
    'municipal.telecom.cable',
    'municipal.water.burst',
  ]),
  unitKind('market-supervision', '市场监管局', 'Market supervision bureau', [
    'appeal.commerce-tourism.consumer-dispute',
    'appeal.commerce-tourism.prepaid-card',
    'appeal.commerce-tourism.food-safety',
    'advertising.outdoor-billboard',
  ]),
  unitKind('ecology-environment', '生态环境局', 'Ecology and environment bureau', [
    'appeal.environment.air-pollution',
    'appeal.environment.water-pollution',
    'construction.site-dust',
    'emergency.hazmat-leak',
  ]),
  unitKind('health', '卫生健康委', 'Health commission', ['appeal.health']),
  unitKind('education', '教委', 'Education commission', ['appeal.education-culture.school-fees']),
  unitKind('human-resources', '人力社保局', 'Human resources and social security bureau', ['appeal.labour']),
  unitKind('transport', '交通局', 'Transport bureau', ['appeal.transport', 'construction.muck-uncovered']),
  // 单用途预付卡 are the commerce department's to regulate.
  unitKind('commerce', '商务委', 'Commerce commission', ['appeal.commerce-tourism.prepaid-card']),
  unitKind('emergency-management', '应急管理局', 'Emergency management bureau', [
    'emergency',
    'safety',
  ]),
  unitKind('planning-natural-resources', '规划自然资源局', 'Planning and natural resources bureau', [
    'safety.geohazard',
    'construction.illegal-building',
  ]),
  unitKind('public-security', '公安分局', 'Public security sub-bureau', [
    'appeal.environment.square-dance-noise',
    'street-order.dog-nuisance',
    'street-order.stray-dog',
    'street-order.vagrancy',
    'appeal.health.dog-bite',
    'emergency',
  ]),
  // River chiefs (河长制) sit with the water-resources bureau.
  unitKind('water-resources', '水利局', 'Water resources bureau', ['safety.flash-flood', 'environment.riverbank-litter']),
  unitKind('forestry', '林业局', 'Forestry bureau', ['safety.forest-fire']),
  unitKind('civil-affairs', '民政局', 'Civil affairs bureau', ['street-order.vagrancy']),
  // Sport belongs to the culture and tourism commission in Chongqing's districts.
  unitKind('culture-tourism', '文化旅游委', 'Culture and tourism commission', [
    'appeal.commerce-tourism.tourism-complaint',
    'appeal.education-culture.fitness-equipment',
  ]),
]);

/**
 * Units of a street or township (镇街), where most matters are handled on site. A unit is named
 * after its street as real bodies are: the street office's own departments carry the street's
 * full name (解放碑街道社区事务办公室, 解放碑街道综合行政执法大队); the district's posts in the
 * street carry only its stem (解放碑派出所, 解放碑市场监管所) — see `STEM_NAMED_UNIT_KINDS`.
 * The community affairs office (社区事务办公室) directs the street's residents' committees
 * (社区居委会) and its grid workers (网格员), whose matters it is given.
 */
export const STREET_UNIT_KINDS: readonly UnitKind[] = Object.freeze([
  unitKind('street-enforcement', '综合行政执法大队', 'Comprehensive administrative enforcement team', [
    'environment',
    'advertising',
    'street-order.street-vending',
    'street-order.outside-shop',
    'street-order.bike-parking',
    'street-order.open-air-barbecue',
    'street-order.dog-nuisance',
    'construction.night-work',
    'construction.illegal-building',
    'appeal.environment.square-dance-noise',
  ]),
  // The seed: a consumer dispute goes to the street's market-supervision post, the community assisting.
  unitKind('market-supervision-post', '市场监管所', 'Market supervision post', [
    'appeal.commerce-tourism.consumer-dispute',
    'appeal.commerce-tourism.prepaid-card',
    'appeal.commerce-tourism.food-safety',
  ]),
  unitKind('community', '社区事务办公室', 'Community affairs office', [
    'appeal.commerce-tourism.consumer-dispute',
    'appeal.environment.square-dance-noise',
    'appeal.urban-rural.property-management',
    'appeal.urban-rural.estate-parking',
    'street-order.dog-nuisance',
    'street-order.stray-dog',
    'street-order.vagrancy',
    'environment.riverbank-litter',
  ]),
  unitKind('police-station', '派出所', 'Police station', [
    'appeal.environment.square-dance-noise',
    'street-order.dog-nuisance',
    'street-order.vagrancy',
  ]),
  // Street safety offices warn and evacuate residents; the grid workers report to them.
  unitKind('street-safety-office', '应急管理办公室', 'Emergency management office', [
    'safety',
    'emergency',
  ]),
]);

/** Street units that belong to a district bureau and are named by the street's stem only (解放碑派出所). */
export const STEM_NAMED_UNIT_KINDS: ReadonlySet<string> = new Set(['police-station', 'market-supervision-post']);

/** City-level bureaus and groups: they coordinate, set standards and take the city-level plans. */
export const CITY_UNIT_KINDS: readonly UnitKind[] = Object.freeze([
  unitKind('urban-management', '市城市管理局', 'Municipal urban management bureau', [
    'environment',
    'advertising',
    'street-order',
    'construction.muck-spillage',
    'construction.muck-uncovered',
    'municipal.drain.blocked',
    'municipal.drain.sewage-overflow',
    'municipal.lighting.out',
    'municipal.manhole.missing',
    'municipal.manhole.damaged',
    'traffic.road-damage',
    'traffic.bridge-tunnel',
    'greening',
    'safety.road-waterlogging',
    'safety.underpass-waterlogging',
  ]),
  unitKind('housing-construction', '市住房城乡建委', 'Municipal housing and urban-rural development commission', [
    'construction',
    'municipal.gas.leak',
    'municipal.gas.facility',
    'appeal.urban-rural',
  ]),
  unitKind('emergency-management', '市应急管理局', 'Municipal emergency management bureau', ['emergency', 'safety']),
  unitKind('water-supply', '市水务集团', 'Municipal water group', ['municipal.water.burst', 'municipal.water.leak', 'appeal.urban-rural.water-pressure']),
  unitKind('traffic-police', '市公安局交巡警总队', 'Municipal traffic and patrol police corps', [
    'traffic.signal-fault',
    'traffic.sign-damaged',
    'traffic.illegal-parking',
    'emergency.traffic-accident',
  ]),
  unitKind('fire-rescue', '市消防救援总队', 'Municipal fire and rescue corps', ['safety.fire', 'safety.forest-fire', 'emergency.hazmat-leak']),
  unitKind('economy-it', '市经济信息委', 'Municipal economy and information technology commission', ['municipal.power.cable', 'municipal.telecom.cable']),
  unitKind('planning-natural-resources', '市规划自然资源局', 'Municipal planning and natural resources bureau', ['safety.geohazard']),
  unitKind('water-resources', '市水利局', 'Municipal water resources bureau', ['safety.flash-flood']),
  unitKind('forestry', '市林业局', 'Municipal forestry bureau', ['safety.forest-fire']),
  unitKind('ecology-environment', '市生态环境局', 'Municipal ecology and environment bureau', ['appeal.environment']),
  unitKind('market-supervision', '市市场监管局', 'Municipal market supervision bureau', ['appeal.commerce-tourism']),
]);

export const UNIT_KINDS_BY_TIER: UnitKindsByTier = Object.freeze({
  city: CITY_UNIT_KINDS,
  district: DISTRICT_UNIT_KINDS,
  street: STREET_UNIT_KINDS,
});

/** The unit kinds of a tier in the demo city. */
export function listUnitKinds(tier: Tier): readonly UnitKind[] {
  return UNIT_KINDS_BY_TIER[tier];
}

/** unitKindsForCategory over this city's kinds (and its categories unless given). */
export function unitKindsForCategory(categoryCode: string, tier: Tier, categories: readonly CategoryDefinition[] = DEMO_CATEGORIES): UnitKind[] {
  return kinds.unitKindsForCategory(categoryCode, tier, UNIT_KINDS_BY_TIER, categories);
}

/** validateUnitKinds against this city's categories unless given. */
export function validateUnitKinds(list: readonly UnitKind[], categories: readonly CategoryDefinition[] = DEMO_CATEGORIES): void {
  kinds.validateUnitKinds(list, categories);
}
