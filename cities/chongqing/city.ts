/**
 * The city pack of Chongqing (重庆市): the demo city CityLoop ships, and the default of CITY_PACK.
 * Its folder also holds, read by convention: plans/ (预案), rules/ (alert rules), routing/ (the
 * routing table of citizens' appeals), calendar/ (China's official holiday arrangements) and geo/
 * (the 38 districts' boundaries and the 1,031 streets' names the demo geography is built from).
 */
import type { CityPackManifest } from '../../src/city-pack.ts';
import { DEFAULT_WORKING_HOURS } from '../../src/calendar/working-calendar.ts';
import { DEMO_CATEGORIES } from './categories.ts';
import { UNIT_KINDS_BY_TIER } from './unit-kinds.ts';
import { VITAL_SIGNS } from './vital-signs.ts';
import { APPEAL_LABEL_CATEGORIES, CAMERA_EVENT_CATEGORIES, CAP_EXPORT_CATEGORIES, CAP_WARNING_CATEGORIES, MUCK_READER_UNIT_KINDS, OPEN311_ATTRIBUTES } from './mappings.ts';
import { DEMO_PASSWORD, resetDemoCity } from './demo/demo-city.ts';

const chongqing: CityPackManifest = {
  name: { zh: '重庆市', en: 'Chongqing' },
  timeZone: 'Asia/Shanghai',
  // 09:00–12:00 and 14:00–18:00 at +08:00: the office hours of Chongqing's departments.
  workingHours: DEFAULT_WORKING_HOURS,
  categories: DEMO_CATEGORIES,
  unitKinds: UNIT_KINDS_BY_TIER,
  capSender: 'cityloop@chongqing.gov.cn',
  vitalSigns: VITAL_SIGNS,
  capWarningCategories: CAP_WARNING_CATEGORIES,
  capExportCategories: CAP_EXPORT_CATEGORIES,
  cameraEventCategories: CAMERA_EVENT_CATEGORIES,
  muckReaderUnitKinds: MUCK_READER_UNIT_KINDS,
  appealLabelCategories: APPEAL_LABEL_CATEGORIES,
  open311Attributes: OPEN311_ATTRIBUTES,
  demo: {
    description: 'the demo city of Chongqing (重庆市): 38 districts, 1,031 streets, generated communities and grids, centers, units, users',
    password: DEMO_PASSWORD,
    seed: (store, opts = {}) =>
      resetDemoCity(store, { ...(opts.districts ? { districts: [...opts.districts] } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }),
  },
};

export default chongqing;
