/**
 * A city pack: everything one city brings to CityLoop (as FixMyStreet keeps a city in a cobrand,
 * not a fork). The core defines the shape here and knows no city; a pack is a folder
 * (`cities/<name>/` in this repository, or any path) chosen by the CITY_PACK setting.
 *
 * The folder holds `city.ts`, whose default export is a `CityPackManifest` (names, categories,
 * unit kinds, working hours, the CAP sender, vital-sign thresholds, the demo), and by convention
 * the data read as files: `plans/`, `rules/`, `routing/routing-table.yaml` and
 * `calendar/holidays.json` (or the first `*.json` in `calendar/`). Convention rather than paths in
 * the manifest because the settings (PLANS_DIR …) need the folders before any module is loaded.
 * See docs/reference/city-packs.md.
 */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkingHours } from './calendar/working-calendar.ts';
import { validateCategories, type CategoryDefinition } from './org/category-model.ts';
import { validateUnitKinds, type UnitKindsByTier } from './org/unit-kinds.ts';
import type { IndicatorDefinition } from './sensing/indicators/vital-signs.ts';
import type { AppealLabelCategories } from './appeals/classifier/appeal-categories.ts';
import type { Open311AttributeDefinition } from './appeals/open311/open311-services.ts';
import type { CapCategoryMapping } from './sensing/cap/cap-export.ts';
import type { CaseCategoryRule } from './sensing/cap/cap-warnings.ts';
import type { CameraEventCategories } from './sensing/muck/camera-event-types.ts';
import type { StoreAdapter } from './store/store.ts';

/** The packs shipped with this repository: `cities/<name>/`. */
export const SHIPPED_PACKS_DIR = fileURLToPath(new URL('../cities/', import.meta.url));

export interface DemoSeedOptions {
  /** Only these districts (by code): quick demos and tests; a pack may ignore it. */
  readonly districts?: readonly string[];
  readonly onProgress?: (phase: string, done: number, total: number) => void;
}

/** What a demo seed put in the store, for the operator's log line. */
export interface DemoSeedSummary {
  readonly jurisdictions: number;
  readonly centers: number;
  readonly units: number;
  readonly users: number;
  readonly categories: number;
  readonly assets: number;
}

export interface CityDemo {
  /** What `cityloop demo` says it builds, e.g. "the demo city of X: its districts, centers, units, users". */
  readonly description: string;
  /** Every demo user signs in with it (documented in the pack; set DEMO=false in production). */
  readonly password: string;
  /** Wipes the store and writes the demo city, in one transaction where the store allows. */
  seed(store: StoreAdapter, opts?: DemoSeedOptions): Promise<DemoSeedSummary>;
}

/** What a pack's `city.ts` exports (default export). */
export interface CityPackManifest {
  readonly name: { readonly zh: string; readonly en: string };
  /** IANA name, for people and documents; deadline arithmetic uses workingHours' fixed offset. */
  readonly timeZone: string;
  /** Office hours of the city's departments and their UTC offset. */
  readonly workingHours: WorkingHours;
  /** The categories a new store starts with (administrators edit them in the store afterwards). */
  readonly categories: readonly CategoryDefinition[];
  /** The kinds of unit at each tier: what plans may name, and what the demo builds. */
  readonly unitKinds: UnitKindsByTier;
  /** The default <sender> of the CAP messages the city exports (CAP_SENDER overrides). */
  readonly capSender: string;
  /** Vital signs (城市体征) and their thresholds; none: the cockpit shows none. */
  readonly vitalSigns: readonly IndicatorDefinition[];
  /** A demo city for `cityloop demo reset` and DEMO=true on an empty store; none: no demo. */
  readonly demo?: CityDemo;

  // The tables that tie core features to the pack's categories and unit kinds. Each is optional:
  // a pack that leaves one out gets the neutral behaviour named here (docs/reference/city-packs.md).

  /** CAP warning (words, CAP categories) → case category; none: CAP alerts are raised with no category. */
  readonly capWarningCategories?: readonly CaseCategoryRule[];
  /** Case category code or family → CAP category of exports; none: every export says Other. */
  readonly capExportCategories?: CapCategoryMapping;
  /** Camera event type code → case category; none (or a type left out): the alert carries no category. */
  readonly cameraEventCategories?: CameraEventCategories;
  /** Kinds of unit whose staff read the muck-truck chain and camera events; none: center staff and admins only. */
  readonly muckReaderUnitKinds?: readonly string[];
  /** Appeal classifier label → category code; none (or a label left out): the label is its own code. */
  readonly appealLabelCategories?: AppealLabelCategories;
  /** The extra fields (attributes) Open311 services ask for; none: services have no attributes. */
  readonly open311Attributes?: readonly Open311AttributeDefinition[];
}

/** The files a pack keeps by convention, from its folder. */
export interface CityPackFolders {
  readonly dir: string;
  readonly plansDir: string;
  readonly rulesDir: string;
  readonly routingTableFile: string;
  readonly calendarFile: string;
  /** Warnings that start analysis runs (`analysis/analysis-triggers.yaml`); absent: none do. */
  readonly analysisTriggersFile: string;
}

export interface CityPack extends CityPackManifest, CityPackFolders {
  /** The folder's name, e.g. 'chongqing'. */
  readonly id: string;
}

/** A pack's folder from the CITY_PACK setting: a name under cities/, or a path (relative to the working directory). */
export function cityPackDir(ref: string): string {
  const byPath = ref.includes('/') || ref.includes('\\') || ref.startsWith('.') || isAbsolute(ref);
  if (!byPath && !/^[a-z0-9][a-z0-9-]*$/.test(ref)) throw new Error(`setting CITY_PACK must be a pack name under cities/ (lower-case ASCII) or a path, got "${ref}"`);
  const dir = byPath ? resolve(ref) : join(SHIPPED_PACKS_DIR, ref);
  if (!existsSync(join(dir, 'city.ts'))) throw new Error(`setting CITY_PACK: no city pack at ${dir} (a pack is a folder with city.ts)`);
  return dir;
}

export function cityPackFolders(dir: string): CityPackFolders {
  const calendarDir = join(dir, 'calendar');
  const calendars = existsSync(calendarDir) ? readdirSync(calendarDir).filter((f) => f.endsWith('.json')).sort() : [];
  const calendarFile = calendars.includes('holidays.json') ? 'holidays.json' : calendars[0];
  return {
    dir,
    plansDir: join(dir, 'plans'),
    rulesDir: join(dir, 'rules'),
    routingTableFile: join(dir, 'routing', 'routing-table.yaml'),
    calendarFile: calendarFile ? join(calendarDir, calendarFile) : join(calendarDir, 'holidays.json'),
    analysisTriggersFile: join(dir, 'analysis', 'analysis-triggers.yaml'),
  };
}

const loaded = new Map<string, Promise<CityPack>>();

/**
 * Loads and checks a pack (once per folder per process): its categories must pass
 * validateCategories and its unit kinds must name only those categories.
 */
export function loadCityPack(dir: string): Promise<CityPack> {
  let p = loaded.get(dir);
  if (!p) {
    p = (async () => {
      const m = (await import(pathToFileURL(join(dir, 'city.ts')).href)) as { default?: CityPackManifest };
      const manifest = m.default;
      if (!manifest || typeof manifest !== 'object') throw new Error(`city pack ${dir}: city.ts has no default export`);
      return checkCityPack({ ...manifest, ...cityPackFolders(dir), id: dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop()! });
    })();
    loaded.set(dir, p);
    p.catch(() => loaded.delete(dir));
  }
  return p;
}

/** Throws an Error naming the pack and what is wrong with it. */
export function checkCityPack(pack: CityPack): CityPack {
  try {
    if (!pack.name?.zh || !pack.name?.en) throw new Error('name needs zh and en');
    validateCategories(pack.categories);
    for (const tier of ['city', 'district', 'street'] as const) validateUnitKinds(pack.unitKinds[tier] ?? [], pack.categories);
    if (!existsSync(pack.calendarFile)) throw new Error(`no calendar file (${pack.calendarFile})`);
    checkCategoryTables(pack);
  } catch (e) {
    throw new Error(`city pack ${pack.id}: ${(e as Error).message}`);
  }
  return pack;
}

/**
 * The tables naming categories may name only the pack's categories (a family prefix must be the
 * code of a category or the start of one), and the muck readers only its unit kinds: a typo
 * would otherwise silently suggest a category no case can be filed under.
 */
function checkCategoryTables(pack: CityPackManifest): void {
  const codes = pack.categories.map((c) => c.code);
  const known = new Set(codes);
  const need = (table: string, code: string) => {
    if (!known.has(code)) throw new Error(`${table} names category ${code}, which the pack does not have`);
  };
  const needFamily = (table: string, prefix: string) => {
    const family = prefix.endsWith('.') ? prefix : `${prefix}.`;
    if (!known.has(prefix.replace(/\.$/, '')) && !codes.some((c) => c.startsWith(family))) throw new Error(`${table} names category family ${prefix}, which the pack does not have`);
  };
  for (const r of pack.capWarningCategories ?? []) need('capWarningCategories', r.categoryCode);
  for (const [prefix] of pack.capExportCategories ?? []) needFamily('capExportCategories', prefix);
  for (const code of Object.values(pack.cameraEventCategories ?? {})) need('cameraEventCategories', code);
  for (const code of Object.values(pack.appealLabelCategories ?? {})) need('appealLabelCategories', code);
  for (const a of pack.open311Attributes ?? []) for (const p of a.appliesTo) (p.endsWith('.') ? needFamily : need)('open311Attributes', p);
  const kinds = new Set((['city', 'district', 'street'] as const).flatMap((t) => (pack.unitKinds[t] ?? []).map((k) => k.kind)));
  for (const k of pack.muckReaderUnitKinds ?? []) if (!kinds.has(k)) throw new Error(`muckReaderUnitKinds names unit kind ${k}, which the pack does not have`);
}
