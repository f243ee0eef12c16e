import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The tools stay out of the server: nothing under src/ but the CLI imports tools/, and the modules
// the CLI loads at start (which `serve` runs through) reach no tool code beyond the light command
// declarations. Static imports only: a dynamic import() runs when its command does.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Relative specifiers of a file's value imports and re-exports (`import type` is erased). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^;'()]*?\s+from\s+)?'(\.[^']+)'/gm;
  for (const m of text.matchAll(pattern)) if (!m[2]) found.push(resolve(dirname(file), m[3]!));
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const inTools = (f: string) => relative(ROOT, f).startsWith(`tools/`);

describe('the tools beside the server', () => {
  it('finds the imports it checks (a check that finds nothing proves nothing)', () => {
    const main = staticImports(join(ROOT, 'src/cli/main.ts')).map((f) => relative(ROOT, f));
    // The command modules (src/cli/commands/) are the CLI too: `serve` opens the platform.
    expect(staticImports(join(ROOT, 'src/cli/commands/serve.ts')).map((f) => relative(ROOT, f))).toContain('src/platform.ts');
    expect(main).toContain('tools/classifier-training/classifier-commands.ts');
    expect(staticImports(join(ROOT, 'tools/classifier-training/classifier-commands.ts')).map((f) => relative(ROOT, f))).toEqual(['tools/classifier-training/training-options.ts']);
  });

  it('are imported by no file under src/ other than src/cli/', () => {
    const offenders = sourceFiles(join(ROOT, 'src'))
      .filter((f) => !relative(ROOT, f).startsWith('src/cli/'))
      .flatMap((f) => staticImports(f).filter(inTools).map((t) => `${relative(ROOT, f)} → ${relative(ROOT, t)}`));
    expect(offenders).toEqual([]);
  });

  it('are not loaded when the CLI starts, beyond the declarations of their commands', () => {
    const seen = new Set<string>();
    const queue = [join(ROOT, 'src/cli/main.ts')];
    while (queue.length > 0) {
      const f = queue.pop()!;
      if (seen.has(f) || !f.endsWith('.ts')) continue;
      seen.add(f);
      queue.push(...staticImports(f));
    }
    const tools = [...seen].filter(inTools).map((f) => relative(ROOT, f)).sort();
    expect(tools).toEqual(['tools/classifier-training/classifier-commands.ts', 'tools/classifier-training/training-options.ts']);
    expect(seen.size).toBeGreaterThan(50);
  });
});
