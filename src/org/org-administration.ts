/**
 * Units and centers administered (issue 16): a unit created under a center, renamed, moved under
 * another center (it then serves that center's tier and jurisdiction), given its categories,
 * disabled and enabled; a center created for a jurisdiction. Each change is an event of the
 * thing's stream (`unit:ID`, `center:ID`) in the changing transaction, and the directory is read
 * again after the commit. Who may is the caller's to ask first (`auth/admin-scope.ts`, a layer up).
 *
 * One enabled unit of a kind serves a jurisdiction (plans and the routing table pick units by
 * kind and place): a second is refused, whether created, moved there or enabled again.
 */
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { StoreAdapter, Tx } from '../store/store.ts';
import { recordAdminChanges, type ActingPerson, type AdminChange } from '../events/admin-events.ts';
import type { OrgDirectory, Unit, Center } from './org-directory.ts';
import { TIERS, type Tier } from './tiers.ts';

export interface NewUnit {
  readonly name: string;
  readonly kind: string;
  /** The center the unit works under: its tier and jurisdiction are the unit's. */
  readonly centerId: string;
  readonly categoryCodes: readonly string[];
}

export interface UnitPatch {
  readonly name?: string | undefined;
  /** Move under this center. */
  readonly centerId?: string | undefined;
  readonly categoryCodes?: readonly string[] | undefined;
}

export interface NewCenter {
  readonly name: string;
  readonly tier: Tier;
  readonly jurisdictionCode: string;
  readonly parentCenterId: string | null;
}

export interface OrgAdministrationDeps {
  readonly store: StoreAdapter;
  readonly clock: Clock;
  readonly org: OrgDirectory;
  /** Whether a jurisdiction exists. */
  knowsJurisdiction(code: string): boolean;
}

export class OrgAdministration {
  readonly #d: OrgAdministrationDeps;
  constructor(deps: OrgAdministrationDeps) {
    this.#d = deps;
  }

  requireUnit(id: string): Unit {
    const u = this.#d.org.unit(id);
    if (!u) throw new CityLoopError('UNKNOWN_UNIT', { id });
    return u;
  }

  requireCenter(id: string): Center {
    const c = this.#d.org.center(id);
    if (!c) throw new CityLoopError('NOT_FOUND', { what: 'center', id });
    return c;
  }

  async createUnit(actor: ActingPerson, u: NewUnit): Promise<Unit> {
    if (!/^[a-z][a-z0-9-]{0,63}$/.test(u.kind)) throw new CityLoopError('VALIDATION_FAILED', { detail: 'kind: lower-case ASCII words joined by "-"' });
    const name = u.name.trim();
    if (!name) throw new CityLoopError('VALIDATION_FAILED', { detail: 'name: not empty' });
    const center = this.requireCenter(u.centerId);
    this.#checkCategories(u.categoryCodes);
    this.#refuseTwin(u.kind, center.jurisdictionCode, null);
    const id = `unit-${center.jurisdictionCode}-${u.kind}-${newId().slice(-6).toLowerCase()}`;
    const row = { id, name, kind: u.kind, tier: center.tier, jurisdiction_code: center.jurisdictionCode, category_codes: JSON.stringify([...u.categoryCodes]), disabled: 0 };
    await this.#write(actor, async (tx) => {
      await tx.insertInto('units').values(row).execute();
      return [{ kind: 'unit' as const, id, type: 'UnitCreated', payload: { name, kind: u.kind, centerId: center.id, tier: center.tier, jurisdictionCode: center.jurisdictionCode, categoryCodes: [...u.categoryCodes] } }];
    });
    return this.requireUnit(id);
  }

  /** Renames a unit, moves it under another center or changes its categories; the event names each field with its old and new value. */
  async updateUnit(actor: ActingPerson, id: string, patch: UnitPatch, reason: string | null): Promise<Unit> {
    const before = this.requireUnit(id);
    const center = patch.centerId !== undefined ? this.requireCenter(patch.centerId) : undefined;
    const name = patch.name?.trim();
    if (name === '') throw new CityLoopError('VALIDATION_FAILED', { detail: 'name: not empty' });
    if (patch.categoryCodes) this.#checkCategories(patch.categoryCodes);
    const after = {
      name: name ?? before.name,
      tier: center?.tier ?? before.tier,
      jurisdictionCode: center?.jurisdictionCode ?? before.jurisdictionCode,
      categoryCodes: patch.categoryCodes ? [...patch.categoryCodes] : [...before.categoryCodes],
    };
    if (!before.disabled && after.jurisdictionCode !== before.jurisdictionCode) this.#refuseTwin(before.kind, after.jurisdictionCode, id);
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    const old = { name: before.name, tier: before.tier, jurisdictionCode: before.jurisdictionCode, categoryCodes: [...before.categoryCodes] };
    for (const k of ['name', 'tier', 'jurisdictionCode', 'categoryCodes'] as const) if (JSON.stringify(old[k]) !== JSON.stringify(after[k])) changed[k] = { from: old[k], to: after[k] };
    if (Object.keys(changed).length === 0) return before;
    const moved = 'jurisdictionCode' in changed || 'tier' in changed;
    await this.#write(actor, async (tx) => {
      await tx.updateTable('units').set({ name: after.name, tier: after.tier, jurisdiction_code: after.jurisdictionCode, category_codes: JSON.stringify(after.categoryCodes) }).where('id', '=', id).execute();
      return [{ kind: 'unit' as const, id, type: moved ? 'UnitMoved' : name !== undefined && 'name' in changed ? 'UnitRenamed' : 'UnitChanged', payload: { ...(center ? { centerId: center.id } : {}), changed, reason } }];
    });
    return this.requireUnit(id);
  }

  /** Disables or enables a unit: its open tasks stay with it; plans and the routing table stop (or start again) picking it. */
  async setUnitDisabled(actor: ActingPerson, id: string, disabled: boolean, reason: string | null): Promise<Unit> {
    const u = this.requireUnit(id);
    if (u.disabled === disabled) return u;
    if (!disabled) this.#refuseTwin(u.kind, u.jurisdictionCode, id);
    await this.#write(actor, async (tx) => {
      await tx.updateTable('units').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).execute();
      return [{ kind: 'unit' as const, id, type: disabled ? 'UnitDisabled' : 'UnitEnabled', payload: { name: u.name, reason } }];
    });
    return this.requireUnit(id);
  }

  /** A center for a jurisdiction that has none, under its parent center. */
  async createCenter(actor: ActingPerson, c: NewCenter): Promise<Center> {
    const name = c.name.trim();
    if (!name) throw new CityLoopError('VALIDATION_FAILED', { detail: 'name: not empty' });
    if (!TIERS.includes(c.tier)) throw new CityLoopError('VALIDATION_FAILED', { detail: `tier: one of ${TIERS.join(', ')}` });
    if (!this.#d.knowsJurisdiction(c.jurisdictionCode)) throw new CityLoopError('NOT_FOUND', { what: 'jurisdiction', id: c.jurisdictionCode });
    const existing = this.#d.org.centerOfJurisdiction(c.jurisdictionCode);
    if (existing) throw new CityLoopError('VALIDATION_FAILED', { detail: `jurisdiction ${c.jurisdictionCode} already has a center (${existing.name})` });
    if (c.parentCenterId) this.requireCenter(c.parentCenterId);
    const id = `center-${c.jurisdictionCode}`;
    if (this.#d.org.center(id)) throw new CityLoopError('VALIDATION_FAILED', { detail: `center ${id} exists` });
    await this.#write(actor, async (tx) => {
      await tx.insertInto('centers').values({ id, tier: c.tier, jurisdiction_code: c.jurisdictionCode, name, parent_center_id: c.parentCenterId }).execute();
      return [{ kind: 'center' as const, id, type: 'CenterCreated', payload: { name, tier: c.tier, jurisdictionCode: c.jurisdictionCode, parentCenterId: c.parentCenterId } }];
    });
    return this.requireCenter(id);
  }

  #checkCategories(codes: readonly string[]): void {
    for (const code of codes) if (!this.#d.org.category(code)) throw new CityLoopError('NOT_FOUND', { what: 'category', id: code });
  }

  #refuseTwin(kind: string, jurisdictionCode: string, self: string | null): void {
    const twin = this.#d.org.unitOfKind(kind, jurisdictionCode);
    if (twin && twin.id !== self) throw new CityLoopError('VALIDATION_FAILED', { detail: `${twin.name} (${twin.id}) already serves this jurisdiction as ${kind}: disable it first` });
  }

  async #write(actor: ActingPerson, fn: (tx: Tx) => Promise<AdminChange[]>): Promise<void> {
    const at = this.#d.clock.now().toISOString();
    await this.#d.store.transact(async (tx) => {
      const changes = await fn(tx);
      await recordAdminChanges(tx, this.#d.store, actor, at, changes);
    });
    await this.#d.org.reload(this.#d.store.db);
  }
}
