import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import { CityLoopError } from '../errors.ts';
import type { StoreAdapter, Tx } from '../store/store.ts';
import { authorActor, authorName, recordAdminChanges, type AdminChange, type ChangeAuthor } from '../events/admin-events.ts';
import { parsePlan, PlanError, type ParsePlanOptions, type PlanDefinition } from './plan-definition.ts';
import type { Candidate } from './plan-engine.ts';

export interface PlanVersionInfo {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/**
 * Versioned plans. Every change is a new version row, never an update: a running case keeps the
 * version it started with (its events name it), and versions can be listed and compared. The
 * newest version of each plan is held compiled in memory for matching.
 */
export class PlanRegistry {
  readonly #db: Tx;
  readonly #store: Pick<StoreAdapter, 'transact' | 'capabilities'>;
  readonly #clock: Clock;
  readonly #parseOptions: () => ParsePlanOptions;
  #latest = new Map<string, Candidate>();
  readonly #compiled = new Map<string, PlanDefinition>();

  /** `store`: versions are written with their events in one transaction. */
  constructor(deps: { store: Pick<StoreAdapter, 'db' | 'transact' | 'capabilities'>; clock: Clock; parseOptions: () => ParsePlanOptions }) {
    this.#db = deps.store.db;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#parseOptions = deps.parseOptions;
  }

  #transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#store.transact(fn);
  }

  #audit(tx: Tx, by: ChangeAuthor, at: string, changes: readonly AdminChange[]): Promise<unknown> {
    return recordAdminChanges(tx, this.#store, authorActor(by), at, changes);
  }

  async reload(): Promise<void> {
    const rows = await this.#db.selectFrom('plans').select(['id', 'version', 'source']).where('active', '=', 1).orderBy('id').orderBy('version').execute();
    const latest = new Map<string, Candidate>();
    for (const r of rows) {
      try {
        latest.set(r.id, { plan: this.#compile(r.id, Number(r.version), r.source), version: Number(r.version) });
      } catch {
        // A stored version that no longer parses (a unit kind was removed) keeps the previous one active.
      }
    }
    this.#latest = latest;
  }

  #compile(id: string, version: number, source: string): PlanDefinition {
    const key = `${id}@${version}`;
    let def = this.#compiled.get(key);
    if (!def) {
      def = parsePlan(source, this.#parseOptions());
      this.#compiled.set(key, def);
    }
    return def;
  }

  /** The newest version of every active plan. */
  candidates(): Candidate[] {
    return [...this.#latest.values()];
  }

  latest(id: string): Candidate | undefined {
    return this.#latest.get(id);
  }

  async get(id: string, version: number): Promise<{ candidate: Candidate; source: string; info: PlanVersionInfo }> {
    const row = await this.#db.selectFrom('plans').selectAll().where('id', '=', id).where('version', '=', version).executeTakeFirst();
    if (!row) throw new CityLoopError('NOT_FOUND', { what: 'plan version', id: `${id}@${version}` });
    return {
      candidate: { plan: this.#compile(id, version, row.source), version },
      source: row.source,
      info: { id, version, name: row.name, createdAt: row.created_at, createdBy: row.created_by },
    };
  }

  async versions(id: string): Promise<PlanVersionInfo[]> {
    const rows = await this.#db.selectFrom('plans').select(['id', 'version', 'name', 'created_at', 'created_by']).where('id', '=', id).orderBy('version').execute();
    return rows.map((r) => ({ id: r.id, version: Number(r.version), name: r.name, createdAt: r.created_at, createdBy: r.created_by }));
  }

  /**
   * Stores a plan's text as its next version (validated first; a refused plan changes nothing).
   * Text identical to the newest version is not stored again.
   */
  async save(source: string, by: ChangeAuthor, fileName?: string): Promise<{ id: string; version: number; created: boolean }> {
    const createdBy = authorName(by);
    let def: PlanDefinition;
    try {
      def = parsePlan(source, { ...this.#parseOptions(), ...(fileName ? { fileName } : {}) });
    } catch (e) {
      if (e instanceof PlanError) throw new CityLoopError('PLAN_INVALID', { plan: e.plan, detail: e.errors.map((x) => `${x.path || '/'}: ${x.message}`).join('; ') }, { errors: e.errors });
      throw e;
    }
    const last = await this.#db.selectFrom('plans').select(['version', 'source']).where('id', '=', def.id).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (last && last.source === source) return { id: def.id, version: Number(last.version), created: false };
    // A plan file read again at start: unchanged since it was last stored from that file, it does
    // not override a version an administrator saved since (an edited file still does).
    if (last && createdBy.startsWith('file:')) {
      const fromFile = await this.#db.selectFrom('plans').select(['source']).where('id', '=', def.id).where('created_by', '=', createdBy).orderBy('version', 'desc').limit(1).executeTakeFirst();
      if (fromFile && fromFile.source === source) return { id: def.id, version: Number(last.version), created: false };
    }
    const version = (last ? Number(last.version) : 0) + 1;
    const now = this.#clock.now().toISOString();
    await this.#transact(async (tx) => {
      await tx
        .insertInto('plans')
        .values({ id: def.id, version, name: def.name, source, definition: JSON.stringify(def), created_at: now, created_by: createdBy, active: 1 })
        .execute();
      await this.#audit(tx, by, now, [{ kind: 'plan', id: def.id, type: 'PlanSaved', payload: { id: def.id, version, name: def.name, ...(fileName ? { file: fileName } : {}) } }]);
    });
    this.#compiled.set(`${def.id}@${version}`, def);
    this.#latest.set(def.id, { plan: def, version });
    return { id: def.id, version, created: true };
  }

  /**
   * Loads the plan files of a folder (the shipped `plans/` by default) as new versions where they
   * changed since they were last stored from the file; versions saved since by administrators stay.
   */
  async loadFolder(dir: string): Promise<{ loaded: { file: string; id: string; version: number; created: boolean }[]; refused: { file: string; error: string }[] }> {
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f)).sort();
    const loaded: { file: string; id: string; version: number; created: boolean }[] = [];
    const refused: { file: string; error: string }[] = [];
    for (const file of files) {
      // One bad file must not keep the others out.
      try {
        const source = await readFile(join(dir, file), 'utf8');
        loaded.push({ file, ...(await this.save(source, `file:${file}`, file)) });
      } catch (e) {
        refused.push({ file, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return { loaded, refused };
  }
}
