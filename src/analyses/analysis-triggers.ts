/**
 * Warnings that start analyses: a city pack's `analysis/analysis-triggers.yaml` says which warnings
 * (by source and words, e.g. a CAP 暴雨预警) start which model, with what rain per warning colour.
 * Reading the table and matching a warning to a run are pure; the composition root hears the
 * warnings on the bus (analyses never import sensing) and starts the run through `AnalysisStarter`.
 */
import { readYaml } from '../documents/yaml-text.ts';
import type { AreaGeometry } from '../geo/geometry.ts';
import type { AnalysisRequest, TriggerOrigin } from './analyses.ts';
import { arrayAt, choiceAt, numberAt, objectAt, onlyKeys, refuse } from './input-reader.ts';

export const WARNING_COLOURS = ['blue', 'yellow', 'orange', 'red'] as const;
export type WarningColour = (typeof WARNING_COLOURS)[number];

export interface AnalysisTrigger {
  readonly id: string;
  /** where the warning comes from: `cap` (a CAP message), `rule`, `indicator` … */
  readonly source: string;
  /** matched, case-insensitively, against the warning's title and CAP event */
  readonly words: RegExp;
  readonly model: 'flood';
  /** rain (mm/h, uniform over the warning's area) per warning colour; a colour left out starts nothing */
  readonly rainMmPerHour: Readonly<Partial<Record<WarningColour, number>>>;
  readonly durationS: number;
  readonly outputIntervalS: number;
}

/** What a trigger needs of a warning (sensing's alert, mapped by the composition root). */
export interface TriggerSignal {
  readonly id: string;
  readonly source: string;
  readonly severity: string;
  /** the title and, for CAP, the event name */
  readonly text: string;
  /** the warning's area, GCJ-02; null: a warning with no area starts no area run */
  readonly area: AreaGeometry | null;
  readonly ownerCenterId: string | null;
}

/** Reads the trigger table; a bad table is refused naming the entry (`triggers[1].rainMmPerHour.red`). */
export function parseAnalysisTriggers(text: string): AnalysisTrigger[] {
  const read = readYaml(text, { maxLength: 200_000 });
  if (!read.ok) refuse('analysis-triggers.yaml', read.problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.text.en}`).join('; '));
  const doc = objectAt(read.data, 'analysis-triggers.yaml');
  onlyKeys(doc, '', ['triggers']);
  const ids = new Set<string>();
  return arrayAt(doc.triggers, 'triggers', { max: 100 }).map((t, i) => {
    const f = `triggers[${i}]`;
    const o = objectAt(t, f);
    onlyKeys(o, f, ['id', 'source', 'words', 'model', 'rainMmPerHour', 'durationMinutes', 'outputIntervalMinutes']);
    if (typeof o.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(o.id) || ids.has(o.id)) refuse(`${f}.id`, 'must be a new lower-case id (a-z, 0-9, -)');
    ids.add(o.id);
    if (typeof o.words !== 'string' || o.words.trim() === '') refuse(`${f}.words`, 'must be words separated by |');
    let words: RegExp;
    try {
      words = new RegExp(o.words, 'i');
    } catch (e) {
      return refuse(`${f}.words`, (e as Error).message);
    }
    const rain = objectAt(o.rainMmPerHour, `${f}.rainMmPerHour`);
    onlyKeys(rain, `${f}.rainMmPerHour`, WARNING_COLOURS);
    const rainMmPerHour: Partial<Record<WarningColour, number>> = {};
    for (const c of WARNING_COLOURS) if (rain[c] !== undefined) rainMmPerHour[c] = numberAt(rain[c], `${f}.rainMmPerHour.${c}`, { above: 0, max: 500 });
    return {
      id: o.id,
      source: choiceAt(o.source, `${f}.source`, ['cap', 'rule', 'indicator', 'camera'] as const),
      words,
      model: choiceAt(o.model, `${f}.model`, ['flood'] as const),
      rainMmPerHour,
      durationS: numberAt(o.durationMinutes, `${f}.durationMinutes`, { above: 0, max: 2160 }) * 60,
      outputIntervalS: numberAt(o.outputIntervalMinutes, `${f}.outputIntervalMinutes`, { above: 0, max: 2160 }) * 60,
    };
  });
}

/**
 * The run a warning starts, or null: the first trigger of its source whose words match and which
 * names a rain for its colour. The run is keyed by the warning (`<source>:<alert id>`), so a
 * warning heard twice (a restart, an update) starts it once.
 */
export function runForSignal(triggers: readonly AnalysisTrigger[], s: TriggerSignal, rasterId: string): { request: AnalysisRequest; origin: TriggerOrigin; trigger: AnalysisTrigger } | null {
  if (!s.area || !s.ownerCenterId) return null;
  for (const t of triggers) {
    if (t.source !== s.source || !t.words.test(s.text)) continue;
    const rain = t.rainMmPerHour[s.severity as WarningColour];
    if (rain === undefined) continue;
    return {
      trigger: t,
      request: {
        model: t.model,
        rasterId,
        name: `${t.id}: ${s.text}`.slice(0, 200),
        inputs: { datum: 'gcj02', rainfall: [{ area: s.area, hyetograph: [{ t: 0, value: rain }] }], durationS: t.durationS, outputIntervalS: t.outputIntervalS },
      },
      origin: { key: `${s.source}:${s.id}`, ownerCenterId: s.ownerCenterId },
    };
  }
  return null;
}
