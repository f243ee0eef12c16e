import type { Tier } from './tiers.ts';
import type { CategoryDefinition } from './category-model.ts';
import type { Tx } from '../store/store.ts';
import { categoryFromRow } from './category-rows.ts';

export interface Center {
  readonly id: string;
  readonly tier: Tier;
  readonly jurisdictionCode: string;
  readonly name: string;
  readonly parentCenterId: string | null;
}

export interface Unit {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly tier: Tier;
  readonly jurisdictionCode: string;
  readonly categoryCodes: readonly string[];
  /** Disabled by an administrator: kept for its tasks and history, picked for no new work. */
  readonly disabled: boolean;
}

/**
 * Centers, units and categories change rarely and are read on every command, so they are held
 * in memory and reloaded when an administrator changes them.
 */
export class OrgDirectory {
  #centers = new Map<string, Center>();
  #centersByJurisdiction = new Map<string, Center>();
  #units = new Map<string, Unit>();
  #unitsByKind = new Map<string, Unit>();
  #categories = new Map<string, CategoryDefinition>();

  static async load(db: Tx): Promise<OrgDirectory> {
    const d = new OrgDirectory();
    await d.reload(db);
    return d;
  }

  async reload(db: Tx): Promise<void> {
    const [centers, units, categories] = await Promise.all([
      db.selectFrom('centers').selectAll().execute(),
      db.selectFrom('units').selectAll().execute(),
      db.selectFrom('categories').selectAll().execute(),
    ]);
    this.#centers = new Map(
      centers.map((c) => [c.id, { id: c.id, tier: c.tier as Tier, jurisdictionCode: c.jurisdiction_code, name: c.name, parentCenterId: c.parent_center_id }]),
    );
    this.#centersByJurisdiction = new Map([...this.#centers.values()].map((c) => [c.jurisdictionCode, c]));
    this.#units = new Map(
      units.map((u) => [u.id, { id: u.id, name: u.name, kind: u.kind, tier: u.tier as Tier, jurisdictionCode: u.jurisdiction_code, categoryCodes: JSON.parse(u.category_codes) as string[], disabled: Boolean(u.disabled) }]),
    );
    // Only enabled units are picked by kind (plans, the routing table): a disabled one gets no new work.
    this.#unitsByKind = new Map([...this.#units.values()].filter((u) => !u.disabled).map((u) => [`${u.kind}@${u.jurisdictionCode}`, u]));
    this.#categories = new Map(categories.map((c) => [c.code, categoryFromRow(c)]));
  }

  center(id: string): Center | undefined {
    return this.#centers.get(id);
  }
  centerOfJurisdiction(code: string): Center | undefined {
    return this.#centersByJurisdiction.get(code);
  }
  centers(): Center[] {
    return [...this.#centers.values()];
  }
  unit(id: string): Unit | undefined {
    return this.#units.get(id);
  }
  /** The enabled unit of a kind serving exactly this jurisdiction (a district's traffic police). */
  unitOfKind(kind: string, jurisdictionCode: string): Unit | undefined {
    return this.#unitsByKind.get(`${kind}@${jurisdictionCode}`);
  }
  units(): Unit[] {
    return [...this.#units.values()];
  }
  category(code: string): CategoryDefinition | undefined {
    return this.#categories.get(code);
  }
  categories(): CategoryDefinition[] {
    return [...this.#categories.values()];
  }
}
