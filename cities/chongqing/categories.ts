/**
 * The demo city's matter categories (事项分类): a two-level tree after the digital city-management
 * standard (GB/T 30428.2, 数字化城市管理信息系统 管理部件和事件) and the matters the seed article
 * names. A city replaces this list with its own; it is data, checked by validateCategories.
 *
 * Deadlines: emergencies and hazards run on the calendar clock (minutes and hours, nights and
 * holidays included) because a burst main does not wait for Monday; ordinary matters run on
 * working time ('5d' = five working days, see parseDuration). A parent's deadlines are the
 * default for a case classified only to the family.
 */
import { expandCategoryCode as expandIn, type CategoryDefinition, type CategoryPriority } from '../../src/org/category-model.ts';

export { validateCategories } from '../../src/org/category-model.ts';
export type { CategoryDefinition, CategoryPriority } from '../../src/org/category-model.ts';

type Deadlines = Pick<CategoryDefinition, 'basis' | 'respondWithin' | 'resolveWithin'>;
type Entry = Omit<CategoryDefinition, 'parentCode'>;

const onCalendar = (respondWithin: string, resolveWithin: string): Deadlines => ({ basis: 'calendar', respondWithin, resolveWithin });
const onWorkingTime = (respondWithin: string, resolveWithin: string): Deadlines => ({ basis: 'working', respondWithin, resolveWithin });

/** Life and property at stake now: respond in 10 minutes, under control in 4 hours, round the clock. */
const EMERGENCY = onCalendar('10m', '4h');
/** Ordinary matters: respond within 2 working hours, resolve within 5 working days. */
const ORDINARY = onWorkingTime('2h', '5d');

function entry(code: string, nameZh: string, nameEn: string, deadlines: Deadlines, defaultPriority: CategoryPriority): Entry {
  return { code, nameZh, nameEn, ...deadlines, defaultPriority };
}

function family(parent: Entry, leaves: Entry[]): CategoryDefinition[] {
  return [{ ...parent, parentCode: null }, ...leaves.map((leaf) => ({ ...leaf, parentCode: parent.code }))];
}

export const DEMO_CATEGORIES: readonly CategoryDefinition[] = Object.freeze(
  [
    // ── GB/T 30428 events (事件) ──────────────────────────────────────────────
    ...family(entry('environment', '市容环境', 'City appearance and sanitation', onWorkingTime('2h', '3d'), 'normal'), [
      entry('environment.exposed-garbage', '暴露垃圾', 'Exposed garbage', onWorkingTime('2h', '1d'), 'normal'),
      entry('environment.garbage-overflow', '垃圾满溢', 'Overflowing litter bin or collection point', onWorkingTime('2h', '1d'), 'normal'),
      entry('environment.road-dirt', '道路不洁', 'Dirty road surface', onWorkingTime('2h', '1d'), 'low'),
      entry('environment.construction-waste', '建筑垃圾乱倒', 'Dumped construction waste', onWorkingTime('2h', '3d'), 'normal'),
      // The seed's riverside trail on a district border that nobody cleaned.
      entry('environment.riverbank-litter', '河岸步道垃圾', 'Litter on a riverbank or riverside trail', onWorkingTime('2h', '3d'), 'normal'),
      entry('environment.dead-animal', '动物尸体', 'Dead animal', onWorkingTime('1h', '1d'), 'normal'),
    ]),
    ...family(entry('advertising', '宣传广告', 'Advertising and signs', ORDINARY, 'low'), [
      entry('advertising.flyers', '非法小广告', 'Illegal flyers and stickers', onWorkingTime('2h', '3d'), 'low'),
      entry('advertising.outdoor-billboard', '违规户外广告', 'Unapproved outdoor advertising', ORDINARY, 'low'),
      // A loose sign over a pavement can fall on someone tonight.
      entry('advertising.damaged-sign', '招牌广告牌破损', 'Damaged shop sign or billboard at risk of falling', onCalendar('30m', '1d'), 'high'),
      entry('advertising.graffiti', '乱涂乱画', 'Graffiti', ORDINARY, 'low'),
    ]),
    ...family(entry('construction', '施工管理', 'Construction management', ORDINARY, 'normal'), [
      // The seed: enforcement reaches a spilling muck truck within 30 minutes.
      entry('construction.muck-spillage', '渣土车抛洒', 'Muck truck spilling along its route', onCalendar('30m', '4h'), 'high'),
      entry('construction.muck-uncovered', '渣土车未密闭或超载', 'Muck truck uncovered or overloaded', onCalendar('30m', '1d'), 'high'),
      entry('construction.site-dust', '施工扬尘', 'Dust from a construction site', onWorkingTime('2h', '2d'), 'normal'),
      entry('construction.night-work', '夜间违规施工', 'Construction at night without a permit', onCalendar('30m', '4h'), 'high'),
      entry('construction.road-excavation', '违规道路开挖', 'Road dug up without a permit (road zipper)', onWorkingTime('2h', '3d'), 'normal'),
      entry('construction.illegal-building', '违法建设', 'Illegal building', onWorkingTime('2h', '10d'), 'normal'),
    ]),
    ...family(entry('street-order', '街面秩序', 'Street order', onWorkingTime('2h', '3d'), 'normal'), [
      entry('street-order.street-vending', '占道经营', 'Street vending on public space', onWorkingTime('1h', '1d'), 'normal'),
      entry('street-order.outside-shop', '店外经营', 'Trading outside the shopfront', onWorkingTime('2h', '2d'), 'low'),
      entry('street-order.bike-parking', '非机动车乱停放', 'Bicycles or e-bikes parked in the way', onWorkingTime('2h', '1d'), 'low'),
      entry('street-order.open-air-barbecue', '露天烧烤', 'Open-air barbecue', onWorkingTime('1h', '1d'), 'normal'),
      // Dog management (养犬) is one of the seed's "one thing" scenarios spanning several departments.
      entry('street-order.dog-nuisance', '犬只管理（未牵绳、扰民）', 'Dog off the lead or disturbing residents', onWorkingTime('2h', '3d'), 'normal'),
      entry('street-order.stray-dog', '流浪犬只', 'Stray dog', onWorkingTime('1h', '1d'), 'normal'),
      // Rescue stations work round the clock and a cold night is the risk.
      entry('street-order.vagrancy', '流浪乞讨人员', 'Homeless or begging person needing help', onCalendar('1h', '1d'), 'normal'),
    ]),
    ...family(entry('emergency', '突发事件', 'Sudden incident', EMERGENCY, 'urgent'), [
      entry('emergency.road-collapse', '路面塌陷', 'Road surface collapse', EMERGENCY, 'urgent'),
      entry('emergency.traffic-accident', '道路交通事故', 'Road traffic accident', onCalendar('10m', '2h'), 'urgent'),
      entry('emergency.hazmat-leak', '危险化学品泄漏', 'Hazardous chemical leak', EMERGENCY, 'urgent'),
    ]),

    // ── GB/T 30428 assets (部件) ──────────────────────────────────────────────
    ...family(entry('municipal', '市政公用设施', 'Municipal utilities', ORDINARY, 'normal'), [
      // The seed's scene 1.
      entry('municipal.water.burst', '供水管道爆裂', 'Water main burst', EMERGENCY, 'urgent'),
      entry('municipal.water.leak', '供水管道漏水', 'Water pipe leak', onCalendar('30m', '1d'), 'high'),
      entry('municipal.water.hydrant', '消火栓损坏', 'Damaged fire hydrant', onWorkingTime('2h', '3d'), 'high'),
      entry('municipal.drain.blocked', '排水管道堵塞', 'Blocked drain', onWorkingTime('2h', '2d'), 'normal'),
      entry('municipal.drain.sewage-overflow', '污水冒溢', 'Sewage overflowing from a manhole', onCalendar('30m', '8h'), 'high'),
      entry('municipal.gas.leak', '燃气泄漏', 'Gas leak', EMERGENCY, 'urgent'),
      entry('municipal.gas.facility', '燃气设施损坏', 'Damaged gas pipe or pressure station', onCalendar('30m', '1d'), 'high'),
      entry('municipal.power.cable', '电力线缆破损外露', 'Damaged or exposed power cable', onCalendar('30m', '8h'), 'high'),
      entry('municipal.telecom.cable', '通信线缆破损垂落', 'Damaged or hanging telecom cable', onWorkingTime('2h', '3d'), 'normal'),
      entry('municipal.lighting.out', '路灯不亮', 'Street light out', onWorkingTime('2h', '3d'), 'normal'),
      // 数治窨井盖: an open shaft in the road is a fall or a wrecked car waiting to happen.
      entry('municipal.manhole.missing', '井盖缺失', 'Missing manhole cover', EMERGENCY, 'urgent'),
      entry('municipal.manhole.damaged', '井盖破损移位', 'Broken or displaced manhole cover', onCalendar('30m', '1d'), 'high'),
    ]),
    ...family(entry('traffic', '交通设施', 'Traffic facilities', ORDINARY, 'normal'), [
      entry('traffic.signal-fault', '交通信号灯故障', 'Traffic signal fault', onCalendar('30m', '4h'), 'high'),
      entry('traffic.sign-damaged', '交通标志标线损坏', 'Damaged traffic sign or road marking', ORDINARY, 'normal'),
      entry('traffic.road-damage', '道路坑洼破损', 'Potholes or damaged road surface', onWorkingTime('2h', '3d'), 'normal'),
      entry('traffic.illegal-parking', '机动车违法停放', 'Illegally parked motor vehicle', onWorkingTime('1h', '4h'), 'normal'),
      entry('traffic.bridge-tunnel', '桥梁隧道病害', 'Bridge or tunnel defect', onWorkingTime('1h', '5d'), 'high'),
    ]),
    ...family(entry('greening', '园林绿化', 'Parks and greenery', ORDINARY, 'low'), [
      entry('greening.damaged-plants', '绿地毁坏', 'Damaged lawn or planting', ORDINARY, 'low'),
      entry('greening.tree-pruning', '树木遮挡需修剪', 'Tree blocking lights, signs or windows', onWorkingTime('2h', '10d'), 'low'),
      entry('greening.fallen-tree', '树木倒伏', 'Fallen or leaning tree', onCalendar('30m', '8h'), 'high'),
    ]),

    // ── Public safety (the seed's emergency management scenes) ───────────────
    ...family(entry('safety', '公共安全', 'Public safety', EMERGENCY, 'urgent'), [
      entry('safety.fire', '火灾', 'Fire', EMERGENCY, 'urgent'),
      entry('safety.road-waterlogging', '道路积水', 'Waterlogged road', EMERGENCY, 'urgent'),
      // The seed: at a low underpass the units reach the site within 10 minutes.
      entry('safety.underpass-waterlogging', '下穿道积水', 'Flooded underpass', EMERGENCY, 'urgent'),
      // These take longer than 4 hours to bring under control, but not longer to answer.
      entry('safety.geohazard', '地质灾害（滑坡、危岩、崩塌）', 'Geological hazard (landslide, dangerous rock, collapse)', onCalendar('10m', '12h'), 'urgent'),
      entry('safety.forest-fire', '森林火灾', 'Forest fire', onCalendar('10m', '12h'), 'urgent'),
      entry('safety.flash-flood', '山洪', 'Flash flood', onCalendar('10m', '12h'), 'urgent'),
      // 避险转移: opened from a flood analysis; people stay away until the water is gone (two days).
      entry('safety.evacuation', '避险转移', 'Evacuation', onCalendar('10m', '2d'), 'urgent'),
    ]),

    // ── Citizen appeals (民生诉求): the seven 12345 hotline families ─────────
    // Kept as top-level families under a shared 'appeal.' prefix so the tree stays two levels deep.
    ...family(entry('appeal.urban-rural', '城乡建设', 'Urban and rural construction', ORDINARY, 'normal'), [
      entry('appeal.urban-rural.water-pressure', '水压不足', 'Low water pressure', onWorkingTime('2h', '3d'), 'normal'),
      entry('appeal.urban-rural.property-management', '物业管理', 'Property management complaint', ORDINARY, 'normal'),
      entry('appeal.urban-rural.estate-parking', '老旧小区停车难', 'No parking in an old housing estate', onWorkingTime('2h', '10d'), 'low'),
    ]),
    ...family(entry('appeal.environment', '环境保护', 'Environmental protection', ORDINARY, 'normal'), [
      // Loud music at 22:00 cannot wait for the office to open, so the calendar clock.
      entry('appeal.environment.square-dance-noise', '噪音扰民（广场舞）', 'Noise from square dancing', onCalendar('1h', '1d'), 'normal'),
      entry('appeal.environment.air-pollution', '大气污染（油烟、废气）', 'Air pollution (cooking fumes, exhaust)', ORDINARY, 'normal'),
      entry('appeal.environment.water-pollution', '水体污染', 'Polluted river or pond', ORDINARY, 'normal'),
    ]),
    ...family(entry('appeal.transport', '交通运输', 'Transport', ORDINARY, 'normal'), [
      entry('appeal.transport.bus-frequency', '公交班次间隔过长', 'Buses too far apart', ORDINARY, 'low'),
      entry('appeal.transport.taxi-service', '出租车服务', 'Taxi service (refusal, overcharging)', ORDINARY, 'normal'),
    ]),
    ...family(entry('appeal.education-culture', '教育文体', 'Education, culture and sport', ORDINARY, 'normal'), [
      entry('appeal.education-culture.school-fees', '学校违规收费', 'Improper school charges', ORDINARY, 'normal'),
      entry('appeal.education-culture.fitness-equipment', '公共健身器材损坏', 'Damaged public fitness equipment', ORDINARY, 'low'),
    ]),
    ...family(entry('appeal.labour', '劳动和社会保障', 'Labour and social security', ORDINARY, 'normal'), [
      entry('appeal.labour.wage-arrears', '拖欠工资', 'Unpaid wages', ORDINARY, 'high'),
      entry('appeal.labour.social-insurance', '社会保险', 'Social insurance contributions and benefits', ORDINARY, 'normal'),
    ]),
    ...family(entry('appeal.commerce-tourism', '商贸旅游', 'Commerce and tourism', ORDINARY, 'normal'), [
      // The seed: routed to the street's market-supervision post, the community assisting.
      entry('appeal.commerce-tourism.consumer-dispute', '消费纠纷', 'Consumer dispute', ORDINARY, 'normal'),
      entry('appeal.commerce-tourism.prepaid-card', '预付卡退费', 'Prepaid card refund', ORDINARY, 'normal'),
      entry('appeal.commerce-tourism.food-safety', '食品安全', 'Food safety', onWorkingTime('1h', '3d'), 'high'),
      entry('appeal.commerce-tourism.tourism-complaint', '旅游投诉', 'Tourism complaint', ORDINARY, 'normal'),
    ]),
    ...family(entry('appeal.health', '卫生计生', 'Health and family planning', ORDINARY, 'normal'), [
      entry('appeal.health.medical-service', '医疗服务', 'Medical service complaint', ORDINARY, 'normal'),
      entry('appeal.health.dog-bite', '犬伤处置与狂犬病免疫', 'Dog bite and rabies vaccination', onWorkingTime('1h', '2d'), 'high'),
      entry('appeal.health.birth-services', '生育服务', 'Birth and family planning services', ORDINARY, 'low'),
    ]),
  ].map((c) => Object.freeze(c)),
);

/** expandCategoryCode over this city's list (its tests and data checks). */
export function expandCategoryCode(code: string, categories: readonly CategoryDefinition[] = DEMO_CATEGORIES): string[] {
  return expandIn(code, categories);
}
