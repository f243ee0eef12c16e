/**
 * Reading an edited document's text: YAML 1.2 (JSON is YAML) with a line counter, so that a
 * problem found later by pointer on the data (`/rules/3/lead/kind`) is shown beside its line in the
 * editor. Strict where the `yaml` package is lenient: a duplicate key, an unknown tag (such as
 * `!!js/function`) or a key that is a list refuse the text, and aliases expand only so far.
 */
import { LineCounter, isAlias, isCollection, isMap, isSeq, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import { problemAt, placedAt, type DocumentProblem } from './problem.ts';
import { unescapePointer } from './json-pointer.ts';

/** Anchors and aliases are handy for repeated blocks; more than this is an expansion attack. */
export const DEFAULT_MAX_ALIAS_COUNT = 50;

export interface ReadYamlOptions {
  readonly maxAliasCount?: number;
  /** Refuses longer text before parsing spends time on it; with `what`, the problem names it ('the plan'). */
  readonly maxLength?: number;
  readonly what?: { readonly zh: string; readonly en: string };
}

export type ReadYamlResult =
  | {
      readonly ok: true;
      readonly data: unknown;
      /** The line and column of the node a pointer names (of its key with `atKey`), or of its nearest existing parent. */
      locate(pointer: string, atKey?: boolean): { line?: number; column?: number };
    }
  | { readonly ok: false; readonly problems: DocumentProblem[] };

/** Reads YAML or JSON text; a syntax error, a duplicate key or an alias bomb is a problem with its line. */
export function readYaml(text: string, opts: ReadYamlOptions = {}): ReadYamlResult {
  const what = opts.what ?? { zh: '文本', en: 'the text' };
  if (typeof text !== 'string') return { ok: false, problems: [problemAt('', { en: `${what.en} must be YAML or JSON text`, zh: `${what.zh}须为 YAML 或 JSON 文本` })] };
  if (opts.maxLength !== undefined && text.length > opts.maxLength) {
    return { ok: false, problems: [problemAt('', { en: `${what.en} is ${text.length} characters long; the limit is ${opts.maxLength}`, zh: `${what.zh}长 ${text.length} 个字符，上限为 ${opts.maxLength}` })] };
  }
  const maxAliasCount = opts.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  // parseDocument + toJS is what yaml's `parse` does; calling them ourselves keeps the line of each
  // node for messages and lets warnings (an unknown tag such as !!js/function) refuse the text.
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, version: '1.2', schema: 'core', lineCounter: lines, prettyErrors: false });
  const problems: DocumentProblem[] = [...doc.errors, ...doc.warnings].map((e) => {
    const first = e.message.split('\n')[0] ?? e.message;
    return problemAt('', { en: `YAML: ${first}`, zh: `YAML 格式错误：${first}` }, position(lines, e.pos[0]));
  });
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        problems.push(problemAt('', { en: 'YAML: a key must be plain text, not a list or a map', zh: 'YAML 格式错误：键须为纯文本，不能是列表或映射' }, position(lines, (pair.key as YamlNode).range?.[0])));
      }
    },
  });
  if (problems.length > 0) return { ok: false, problems };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (e) {
    const m = (e as Error).message;
    const text = e instanceof ReferenceError
      ? { en: `YAML: aliases expand too far (more than ${maxAliasCount}); write the blocks out instead`, zh: `YAML 格式错误：别名展开过多（超过 ${maxAliasCount} 个），请直接写出内容` }
      : { en: `YAML: ${m}`, zh: `YAML 格式错误：${m}` };
    return { ok: false, problems: [problemAt('', text)] };
  }
  return { ok: true, data, locate: (pointer, atKey = false) => lineOfPointer(doc, lines, pointer, atKey) };
}

/**
 * The problems with the line and column of the node their pointer names, where it can be found.
 * An unknown property is shown at its key (its value may be far below), anything else at its value.
 */
export function placeProblems(read: Extract<ReadYamlResult, { ok: true }>, problems: readonly DocumentProblem[]): DocumentProblem[] {
  return problems.map((p) => placedAt(p, read.locate(p.pointer, p.text.en.startsWith('unknown property'))));
}

/** Line and column (1-based) of an offset in the text. */
export function position(lines: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
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
