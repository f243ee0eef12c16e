import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The house rule of issue 15: no source file over about 500 lines unless its header says why.
 * "Its header" is the comment before the first import or declaration; the reason is a sentence
 * that starts "Longer than 500 lines:".
 */
const ROOT = join(import.meta.dirname, '../..');
const LIMIT = 500;
const REASON = /Longer than 500 lines:/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

function headerOf(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((l) => /^(import|export|const|let|function|class|interface|type|async)\b/.test(l));
  return lines.slice(0, end < 0 ? 40 : end).join('\n');
}

describe('source files', () => {
  it(`are at most ${LIMIT} lines, or say in their header why not`, () => {
    const over = sourceFiles(join(ROOT, 'src'))
      .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }))
      .map((f) => ({ ...f, lines: f.text.split('\n').length }))
      .filter((f) => f.lines > LIMIT && !REASON.test(headerOf(f.text)))
      .map((f) => `${f.path}: ${f.lines} lines`);
    expect(over, 'split these files, or give the reason in the header ("Longer than 500 lines: …")').toEqual([]);
  });

  it('the header rule finds a reason only in the header', () => {
    expect(REASON.test(headerOf('/** Longer than 500 lines: one table. */\nimport x from "y";\n'))).toBe(true);
    expect(REASON.test(headerOf('import x from "y";\n// Longer than 500 lines: too late\n'))).toBe(false);
  });
});
