/**
 * People per grid: the layer a flood's impact multiplies by the flooded fraction. A city supplies
 * it (a census or survey table, CSV or GeoJSON: grid code → people); the demo city generates one
 * (cities/chongqing/demo/demo-population.ts). Every figure keeps its source, so a generated
 * figure is never shown as counted.
 *
 * Reading is pure (text in, rows or problems with their line out); storing replaces the figures of
 * the grids named, in one transaction.
 */
import type { Tx } from '../../store/store.ts';
import { readCsvRecords, CsvSyntaxError } from '../../csv-records.ts';

export const POPULATION_SOURCES = ['census', 'survey', 'estimate', 'generated'] as const;
export type PopulationSource = (typeof POPULATION_SOURCES)[number];

export interface GridPopulation {
  readonly gridCode: string;
  readonly people: number;
}

export interface PopulationProblem {
  /** the CSV line (from 1) or the GeoJSON feature index (from 0) */
  readonly at: string;
  readonly reason: string;
}

const MAX_PEOPLE_PER_GRID = 1_000_000;

function checkRow(code: unknown, people: unknown, at: string, knownGrids: ReadonlySet<string> | null, seen: Map<string, string>, problems: PopulationProblem[]): GridPopulation | null {
  const c = typeof code === 'string' ? code.trim() : typeof code === 'number' ? String(code) : '';
  if (c === '') {
    problems.push({ at, reason: 'no grid code' });
    return null;
  }
  const n = typeof people === 'string' && people.trim() !== '' ? Number(people.trim()) : people;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_PEOPLE_PER_GRID) {
    problems.push({ at, reason: `people of grid ${c} must be a whole number from 0 to ${MAX_PEOPLE_PER_GRID}, got ${JSON.stringify(people)}` });
    return null;
  }
  if (knownGrids !== null && !knownGrids.has(c)) {
    problems.push({ at, reason: `no grid has the code ${c}` });
    return null;
  }
  const first = seen.get(c);
  if (first !== undefined) {
    problems.push({ at, reason: `grid ${c} is already given at ${first}` });
    return null;
  }
  seen.set(c, at);
  return { gridCode: c, people: n };
}

/**
 * A CSV with a header naming the grid code column (`grid_code` or `code`) and the people column
 * (`people` or `population`); other columns are ignored. `knownGrids`: the grid codes of the
 * geography (null: not checked).
 */
export function parsePopulationCsv(text: string, knownGrids: ReadonlySet<string> | null): { rows: GridPopulation[]; problems: PopulationProblem[] } {
  let records;
  try {
    records = readCsvRecords(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { rows: [], problems: [{ at: `line ${e.line}`, reason: e.reason }] };
    throw e;
  }
  const header = records[0];
  if (!header) return { rows: [], problems: [{ at: 'line 1', reason: 'the file is empty' }] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const codeCol = names.findIndex((n) => n === 'grid_code' || n === 'code');
  const peopleCol = names.findIndex((n) => n === 'people' || n === 'population');
  if (codeCol < 0 || peopleCol < 0) {
    return { rows: [], problems: [{ at: `line ${header.line}`, reason: `the header must name a grid_code (or code) and a people (or population) column, found: ${header.fields.join(', ')}` }] };
  }
  const problems: PopulationProblem[] = [];
  const seen = new Map<string, string>();
  const rows: GridPopulation[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.every((f) => f.trim() === '')) continue;
    const row = checkRow(r.fields[codeCol], r.fields[peopleCol], `line ${r.line}`, knownGrids, seen, problems);
    if (row) rows.push(row);
  }
  return { rows, problems };
}

/** A GeoJSON FeatureCollection whose features carry `grid_code` (or `code`) and `people` (or `population`); geometries are ignored. */
export function parsePopulationGeoJson(input: unknown, knownGrids: ReadonlySet<string> | null): { rows: GridPopulation[]; problems: PopulationProblem[] } {
  const fc = input as { type?: unknown; features?: unknown };
  if (typeof fc !== 'object' || fc === null || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    return { rows: [], problems: [{ at: 'file', reason: 'not a GeoJSON FeatureCollection' }] };
  }
  const problems: PopulationProblem[] = [];
  const seen = new Map<string, string>();
  const rows: GridPopulation[] = [];
  fc.features.forEach((f: unknown, i: number) => {
    const p = (f as { properties?: Record<string, unknown> | null } | null)?.properties ?? {};
    const row = checkRow(p.grid_code ?? p.code, p.people ?? p.population, `feature ${i}`, knownGrids, seen, problems);
    if (row) rows.push(row);
  });
  return { rows, problems };
}

/** Stores the figures, replacing those of the same grids. */
export async function savePopulation(tx: Tx, rows: readonly GridPopulation[], source: PopulationSource, by: string, at: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await tx.deleteFrom('grid_population').where('grid_code', 'in', chunk.map((r) => r.gridCode)).execute();
    await tx
      .insertInto('grid_population')
      .values(chunk.map((r) => ({ grid_code: r.gridCode, people: r.people, source, updated_at: at, updated_by: by })))
      .execute();
  }
}

export interface PopulationLayer {
  readonly people: ReadonlyMap<string, number>;
  /** the sources of the figures held (a report says "generated" when any is) */
  readonly sources: readonly PopulationSource[];
}

export async function loadPopulation(db: Tx): Promise<PopulationLayer> {
  const rows = await db.selectFrom('grid_population').select(['grid_code', 'people', 'source']).execute();
  const people = new Map<string, number>();
  const sources = new Set<PopulationSource>();
  for (const r of rows) {
    people.set(r.grid_code, Number(r.people));
    sources.add(r.source as PopulationSource);
  }
  return { people, sources: [...sources].sort() };
}
