/**
 * What every `cityloop` command shares: the exit codes, the failure that carries one, the
 * settings read or a usage error, a store opened for one command, JSON files read, all-or-nothing
 * imports refused with their reasons, and the account recorded as the actor of a change.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { readSettings } from '../config.ts';
import { createInterface } from 'node:readline/promises';
import { openStore, storeLocation, StoreMissingError } from '../store/store.ts';
import { loadCityPack, type CityPack } from '../city-pack.ts';
import { unitKindNames } from '../org/unit-kinds.ts';
import { OrgDirectory } from '../org/org-directory.ts';

/** The operating-system account running the command (recorded as the actor of what it changes). */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}


/** Exit codes: 0 done; 1 failed (bad input, service down); 2 wrong usage; 3 audit found tampering. */
export const EXIT = { ok: 0, failed: 1, usage: 2, tampered: 3 } as const;

/** A command's refusal: printed as `cityloop: message`, and the process exits with `exitCode`. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
    super(message);
  }
}

export function settingsOrFail() {
  try {
    return readSettings();
  } catch (e) {
    throw new CliFailure((e as Error).message, EXIT.usage);
  }
}

/**
 * Runs `fn` over the store of the settings. `mustExist`: a store that does not exist is refused
 * (exit 1, naming where it was looked for) instead of being created empty.
 */
export async function withStore<T>(fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>, opts: { mustExist?: boolean } = {}): Promise<T> {
  const s = settingsOrFail();
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore({ databaseUrl: s.databaseUrl, dataDir: s.dataDir, sqliteSynchronous: s.sqliteSynchronous, ...(opts.mustExist ? { mustExist: true } : {}) });
  } catch (e) {
    if (e instanceof StoreMissingError) throw new CliFailure(`${e.message}: nothing to check (set DATABASE_URL or DATA_DIR to the store you mean; a new one is made by \`cityloop serve\` or \`cityloop demo reset\`)`);
    throw e;
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Where the settings' store is (the SQLite file, the PostgreSQL URL without its password). */
export function storeOfSettings(): string {
  const s = settingsOrFail();
  return storeLocation({ databaseUrl: s.databaseUrl, dataDir: s.dataDir });
}

/**
 * A destructive step goes ahead only when confirmed: `--yes`, or "yes" typed at a terminal.
 * Without a terminal to ask (a script, a pipe) and without `--yes` it is refused as wrong usage
 * (exit 2), so that nothing is wiped by a command run unattended by mistake.
 */
export async function confirmOrRefuse(what: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY) throw new CliFailure(`${what}: refused without --yes (there is no terminal to ask)`, EXIT.usage);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${what}. Type "yes" to go on: `)).trim().toLowerCase();
    if (answer !== 'yes' && answer !== 'y') throw new CliFailure('cancelled: nothing was changed');
  } finally {
    rl.close();
  }
}

export async function readJsonFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new CliFailure(`cannot read ${file} as JSON: ${(e as Error).message}`);
  }
}

/** An import is all or nothing: any invalid feature is listed by index and nothing is written. */
export function refuseIfInvalid(file: string, errors: readonly { index: number; reason: string }[]): void {
  if (errors.length === 0) return;
  for (const e of errors.slice(0, 200)) console.error(`feature ${e.index}: ${e.reason}`);
  if (errors.length > 200) console.error(`… and ${errors.length - 200} more`);
  throw new CliFailure(`${errors.length} invalid feature(s) in ${file}: nothing was imported`);
}

/** The city pack of the settings (CITY_PACK); a pack that cannot be loaded is wrong usage. */
export async function packOrFail(): Promise<CityPack> {
  try {
    return await loadCityPack(settingsOrFail().cityPack);
  } catch (e) {
    if (e instanceof CliFailure) throw e;
    throw new CliFailure((e as Error).message, EXIT.usage);
  }
}

/** The pack's demo, or a failure saying the pack has none. */
export function demoOf(pack: CityPack): NonNullable<CityPack['demo']> {
  if (!pack.demo) throw new CliFailure(`the city pack ${pack.id} has no demo`);
  return pack.demo;
}

/**
 * What plan files are checked against: the categories of the store in use when it has any (an
 * administrator may have edited them), else the city pack's; the pack's unit kinds and the kinds
 * of the store's units. A store that cannot be opened leaves the pack's catalogue, said on stderr.
 */
export async function planCatalogue(): Promise<{ knownCategories: Set<string>; knownUnitKinds: Set<string>; source: string }> {
  const pack = await packOrFail();
  const kinds = unitKindNames(pack.unitKinds);
  try {
    return await withStore(async (store) => {
      const org = await OrgDirectory.load(store.db);
      const categories = org.categories();
      for (const u of org.units()) kinds.add(u.kind);
      return categories.length > 0
        ? { knownCategories: new Set(categories.map((c) => c.code)), knownUnitKinds: kinds, source: `the store's ${categories.length} categories` }
        : { knownCategories: new Set(pack.categories.map((c) => c.code)), knownUnitKinds: kinds, source: `the categories of the city pack ${pack.id} (the store has none)` };
    });
  } catch (e) {
    if (e instanceof CliFailure) throw e;
    console.error(`the store cannot be read (${(e as Error).message}): checking against the city pack ${pack.id}`);
    return { knownCategories: new Set(pack.categories.map((c) => c.code)), knownUnitKinds: unitKindNames(pack.unitKinds), source: `the categories of the city pack ${pack.id}` };
  }
}
