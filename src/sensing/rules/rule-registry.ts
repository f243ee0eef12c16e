/**
 * Versioned rules in the store, like plans (src/plans/plan-registry.ts): every change is a new
 * version row in `rules`, never an update, so an alert can name the version that raised it and
 * versions can be listed and compared. The newest active version of each rule is held compiled
 * in memory for the engine.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../clock.ts';
import { CityLoopError } from '../../errors.ts';
import type { StoreAdapter, Tx } from '../../store/store.ts';
import { authorActor, authorName, recordAdminChanges, type AdminChange, type ChangeAuthor } from '../../events/admin-events.ts';
import { compileRule, parseRuleDocument, splitRuleSources, type CompiledRule, type ParseRuleOptions, type RuleDefinition } from './rule-definition.ts';

export interface RuleVersionInfo {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly active: boolean;
}

export interface RuleVersion {
  readonly rule: CompiledRule;
  readonly version: number;
}

export interface SavedRule {
  readonly id: string;
  readonly version: number;
  /** false: the definition equals the newest stored version, nothing was written. */
  readonly created: boolean;
}

export class RuleRegistry {
  readonly #db: Tx;
  readonly #store: Pick<StoreAdapter, 'transact' | 'capabilities'>;
  readonly #clock: Clock;
  readonly #parseOptions: () => ParseRuleOptions;
  #latest = new Map<string, RuleVersion>();
  readonly #compiled = new Map<string, CompiledRule>();

  /** `store`: versions are written with their events in one transaction. */
  constructor(deps: { store: Pick<StoreAdapter, 'db' | 'transact' | 'capabilities'>; clock: Clock; parseOptions?: () => ParseRuleOptions }) {
    this.#db = deps.store.db;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#parseOptions = deps.parseOptions ?? (() => ({}));
  }

  /**
   * Reads the rule in force of every id from the store: its newest version, unless that version
   * switched it off (`active` 0, see setActive). A newest version that no longer reads (a category
   * was removed) leaves the one before it in force.
   */
  #transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#store.transact(fn);
  }

  #audit(tx: Tx, by: ChangeAuthor, at: string, changes: readonly AdminChange[]): Promise<unknown> {
    return recordAdminChanges(tx, this.#store, authorActor(by), at, changes);
  }

  async reload(): Promise<void> {
    const rows = await this.#db.selectFrom('rules').select(['id', 'version', 'source', 'active']).orderBy('id').orderBy('version', 'desc').execute();
    const latest = new Map<string, RuleVersion>();
    const decided = new Set<string>();
    for (const r of rows) {
      if (decided.has(r.id)) continue;
      if (Number(r.active) !== 1) {
        decided.add(r.id);
        continue;
      }
      try {
        latest.set(r.id, { rule: this.#compile(r.id, Number(r.version), r.source), version: Number(r.version) });
        decided.add(r.id);
      } catch {
        // Try the version before it.
      }
    }
    this.#latest = latest;
  }

  /**
   * Switches a rule off (or on again) as a new version: a copy of its newest text with `active`
   * set, so who did it and when is kept like any change. Off, the engine no longer evaluates it;
   * saving a new text puts it in force again.
   */
  async setActive(id: string, active: boolean, by: ChangeAuthor): Promise<SavedRule & { active: boolean }> {
    const last = await this.#db.selectFrom('rules').selectAll().where('id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!last) throw new CityLoopError('NOT_FOUND', { what: 'rule', id });
    if ((Number(last.active) === 1) === active) return { id, version: Number(last.version), created: false, active };
    const version = Number(last.version) + 1;
    const now = this.#clock.now().toISOString();
    await this.#transact(async (tx) => {
      await tx
        .insertInto('rules')
        .values({ id, version, name: last.name, source: last.source, definition: last.definition, created_at: now, created_by: authorName(by), active: active ? 1 : 0 })
        .execute();
      await this.#audit(tx, by, now, [{ kind: 'rule', id, type: active ? 'RuleActivated' : 'RuleDeactivated', payload: { id, version } }]);
    });
    await this.reload();
    return { id, version, created: true, active };
  }

  #compile(id: string, version: number, source: string): CompiledRule {
    const key = `${id}@${version}`;
    let rule = this.#compiled.get(key);
    if (!rule) {
      const parsed = parseRuleDocument(source, `${id}@${version}`, this.#parseOptions());
      if (!parsed.ok) throw new Error(`rule ${key} no longer reads: ${parsed.problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ')}`);
      const def = parsed.rules.find((d) => d.id === id);
      if (!def) throw new Error(`rule ${key}: its source holds no rule ${id}`);
      rule = compileRule(def);
      this.#compiled.set(key, rule);
    }
    return rule;
  }

  /** The newest active version of every rule, compiled, by id. */
  all(): CompiledRule[] {
    return [...this.#latest.values()].map((v) => v.rule);
  }

  /** The same with each rule's version (alerts name it). */
  active(): RuleVersion[] {
    return [...this.#latest.values()];
  }

  latest(id: string): RuleVersion | undefined {
    return this.#latest.get(id);
  }

  /** One stored version (the newest active one when no version is given), with its text. */
  async get(id: string, version?: number): Promise<RuleVersion & { source: string; info: RuleVersionInfo }> {
    let query = this.#db.selectFrom('rules').selectAll().where('id', '=', id);
    query = version === undefined ? query.where('active', '=', 1).orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
    const row = await query.executeTakeFirst();
    if (!row) throw new CityLoopError('NOT_FOUND', { what: 'rule version', id: version === undefined ? id : `${id}@${version}` });
    const v = Number(row.version);
    return {
      rule: this.#compile(id, v, row.source),
      version: v,
      source: row.source,
      info: { id, version: v, name: row.name, createdAt: row.created_at, createdBy: row.created_by, active: Number(row.active) === 1 },
    };
  }

  /** The newest stored version of every rule, in id order (what the rules list shows beside the version in force). */
  async newestVersions(): Promise<{ id: string; version: number; name: string; createdAt: string; createdBy: string; definition: string }[]> {
    const rows = await this.#db.selectFrom('rules').select(['id', 'version', 'name', 'created_at', 'created_by', 'definition']).orderBy('id').orderBy('version').execute();
    const newest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) newest.set(r.id, r);
    return [...newest.values()].map((r) => ({ id: r.id, version: Number(r.version), name: r.name, createdAt: r.created_at, createdBy: r.created_by, definition: r.definition }));
  }

  async versions(id: string): Promise<RuleVersionInfo[]> {
    const rows = await this.#db.selectFrom('rules').select(['id', 'version', 'name', 'created_at', 'created_by', 'active']).where('id', '=', id).orderBy('version').execute();
    return rows.map((r) => ({ id: r.id, version: Number(r.version), name: r.name, createdAt: r.created_at, createdBy: r.created_by, active: Number(r.active) === 1 }));
  }

  /**
   * Stores the rules of a text (one rule or a list) as their next versions, validated first: a
   * refused text changes nothing. A rule whose definition equals its newest version is not stored
   * again (comments and key order are not changes).
   */
  async save(source: string, by: ChangeAuthor, fileName?: string): Promise<SavedRule[]> {
    const createdBy = authorName(by);
    const parsed = parseRuleDocument(source, fileName, this.#parseOptions());
    if (!parsed.ok) {
      const what = fileName ?? 'text';
      throw new CityLoopError(
        'VALIDATION_FAILED',
        { detail: `rule ${what}: ${parsed.problems.map((p) => `${p.path || '/'}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.message}`).join('; ')}` },
        { errors: parsed.problems },
      );
    }
    const sources = parsed.rules.length === 1 ? [source] : splitRuleSources(source);
    const out: SavedRule[] = [];
    const compiled: { id: string; version: number; rule: CompiledRule }[] = [];
    // Every rule of the text and its event in one transaction: a text is stored whole or not at all.
    await this.#transact(async (tx) => {
    const now = this.#clock.now().toISOString();
    for (const [i, def] of parsed.rules.entries()) {
      const last = await tx.selectFrom('rules').select(['version', 'definition']).where('id', '=', def.id).orderBy('version', 'desc').limit(1).executeTakeFirst();
      if (last && sameDefinition(last.definition, def)) {
        out.push({ id: def.id, version: Number(last.version), created: false });
        continue;
      }
      // A rule file read again at start: unchanged since it was last stored from that file, it does
      // not override a version an administrator saved since (an edited file still does).
      if (last && createdBy.startsWith('file:')) {
        const fromFile = await tx.selectFrom('rules').select(['definition']).where('id', '=', def.id).where('created_by', '=', createdBy).orderBy('version', 'desc').limit(1).executeTakeFirst();
        if (fromFile && sameDefinition(fromFile.definition, def)) {
          out.push({ id: def.id, version: Number(last.version), created: false });
          continue;
        }
      }
      const version = (last ? Number(last.version) : 0) + 1;
      const text = sources[i] ?? source;
      await tx
        .insertInto('rules')
        .values({ id: def.id, version, name: def.name, source: text, definition: JSON.stringify(def), created_at: now, created_by: createdBy, active: 1 })
        .execute();
      await this.#audit(tx, by, now, [{ kind: 'rule', id: def.id, type: 'RuleSaved', payload: { id: def.id, version, name: def.name, ...(fileName ? { file: fileName } : {}) } }]);
      compiled.push({ id: def.id, version, rule: compileRule(def) });
      out.push({ id: def.id, version, created: true });
    }
    });
    for (const c of compiled) {
      this.#compiled.set(`${c.id}@${c.version}`, c.rule);
      this.#latest.set(c.id, { rule: c.rule, version: c.version });
    }
    return out;
  }

  /**
   * Loads the rule files of a folder (the shipped `rules/` by default) as new versions where they
   * changed since they were last stored from the file; versions saved since by administrators stay.
   */
  async loadFolder(dir: string): Promise<{ loaded: (SavedRule & { file: string })[]; refused: { file: string; error: string }[] }> {
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    const loaded: (SavedRule & { file: string })[] = [];
    const refused: { file: string; error: string }[] = [];
    for (const file of files) {
      // One bad file must not keep the others out.
      try {
        const text = await readFile(join(dir, file), 'utf8');
        for (const saved of await this.save(text, `file:${file}`, file)) loaded.push({ file, ...saved });
      } catch (e) {
        refused.push({ file, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return { loaded, refused };
  }
}

function sameDefinition(stored: string, def: RuleDefinition): boolean {
  try {
    return canonical(JSON.parse(stored)) === canonical(def);
  } catch {
    return false;
  }
}

/** JSON with the keys of every object sorted. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
