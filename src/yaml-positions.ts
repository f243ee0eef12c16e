/**
 * Where a problem is in the text an administrator edited: YAML (or JSON, which is YAML) read with
 * a line counter, so that a problem found by pointer (`/rules/3/lead/kind`) on the data can be
 * shown beside its line in the editor. Used by the checks of the routing table and of the category
 * list, whose parsers work on data and report JSON pointers only. (Plans and rules locate their
 * problems themselves, in plan-definition.ts and rule-definition.ts.)
 */
import { CityLoopError, type ErrorCode } from './errors.ts';
import { LineCounter, isAlias, isCollection, isMap, isSeq, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';

/** A problem of an edited text: a JSON pointer into its data, a message in both languages, and its place when known. */
export interface LocatedProblem {
  /** JSON pointer: `/rules/3/lead/kind`; '' for the whole text. */
  readonly path: string;
  /** In English. */
  readonly message: string;
  /** 中文。 */
  readonly messageZh: string;
  /** 1-based line and column in the text, when known. */
  readonly line?: number;
  readonly column?: number;
}

/**
 * The 422 for an edited text that does not read: the first five problems in `detail`, every problem
 * (path, line, messages) in `errors`, for the editor to mark in place.
 */
export function problemsError(code: ErrorCode, problems: readonly Pick<LocatedProblem, 'path' | 'message' | 'line'>[]): CityLoopError {
  const detail = problems
    .slice(0, 5)
    .map((p) => `${p.path || '/'}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.message}`)
    .join('; ');
  return new CityLoopError(code, { detail: problems.length > 5 ? `${detail}; … (${problems.length} problems)` : detail }, { errors: problems.map((p) => ({ ...p })) });
}

export type ReadYamlResult =
  | {
      readonly ok: true;
      readonly data: unknown;
      /** The line and column of the node a pointer names (of its key with `atKey`), or of its nearest existing parent. */
      locate(pointer: string, atKey?: boolean): { line?: number; column?: number };
    }
  | { readonly ok: false; readonly problems: LocatedProblem[] };

/** Reads YAML or JSON text; a syntax error, a duplicate key or an alias bomb is a problem with its line. */
export function readYaml(text: string, opts: { maxAliasCount?: number } = {}): ReadYamlResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, version: '1.2', schema: 'core', lineCounter: lines, prettyErrors: false });
  const problems: LocatedProblem[] = [...doc.errors, ...doc.warnings].map((e) => {
    const first = e.message.split('\n')[0] ?? e.message;
    return { path: '', message: `YAML: ${first}`, messageZh: `YAML 格式错误：${first}`, ...position(lines, e.pos[0]) };
  });
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) problems.push({ path: '', message: 'YAML: a key must be plain text, not a list or a map', messageZh: 'YAML 格式错误：键须为纯文本，不能是列表或映射', ...position(lines, (pair.key as YamlNode).range?.[0]) });
    },
  });
  if (problems.length > 0) return { ok: false, problems };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: opts.maxAliasCount ?? 50 });
  } catch (e) {
    const m = (e as Error).message;
    return { ok: false, problems: [{ path: '', message: `YAML: ${m}`, messageZh: `YAML 格式错误：${m}` }] };
  }
  return { ok: true, data, locate: (pointer, atKey = false) => lineOfPointer(doc, lines, pointer, atKey) };
}

/** The problems with the line of the node their pointer names, where it can be found. */
export function locateAll(read: Extract<ReadYamlResult, { ok: true }>, problems: readonly Omit<LocatedProblem, 'line' | 'column'>[]): LocatedProblem[] {
  return problems.map((p) => ({ ...p, ...read.locate(p.path, p.message.startsWith('unknown property')) }));
}

/** Line and column (1-based) of an offset in the text. */
export function position(lines: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
}

function unescapePointer(s: string): string {
  return s.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** The line and column of the node a JSON pointer names (or of its key), or of its nearest existing parent. */
export function lineOfPointer(doc: Document, lines: LineCounter, pointer: string, atKey = false): { line?: number; column?: number } {
  let node: unknown = doc.contents;
  let found: unknown = node;
  for (const raw of pointer.split('/').slice(1)) {
    if (isAlias(node)) node = node.resolve(doc);
    if (!isMap(node) && !isSeq(node)) break;
    const key = unescapePointer(raw);
    if (isMap(node)) {
      const pair = node.items.find((it) => String((it.key as { value?: unknown } | null)?.value ?? it.key) === key);
      if (pair === undefined) break;
      node = pair.value;
      found = atKey ? pair.key : (pair.value ?? pair.key);
      if (node === null || node === undefined) break;
    } else {
      node = node.get(Number(key), true);
      if (node === undefined || node === null) break;
      found = node;
    }
  }
  return position(lines, (found as YamlNode | null)?.range?.[0]);
}
