import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cityloop-classifier-'));
const SAMPLE = 'resources/models/appeals-sample.jsonl';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliIn(process.env, ...args);
}

async function cliIn(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['bin/cityloop.js', 'classifier', ...args], { timeout: 60_000, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('cityloop classifier', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("classify answers with the CITY_PACK's category codes for the labels, or the labels themselves", async () => {
    const text = '老板拖欠工资半年了，社保也没交';
    const chongqing = await cliIn({ ...process.env, CITY_PACK: 'chongqing' }, 'classify', text, '--json');
    expect(chongqing.code, chongqing.stderr).toBe(0);
    expect(JSON.parse(chongqing.stdout.trim())).toMatchObject({ label: '劳动和社会保障', categoryCode: 'appeal.labour' });
    const tiny = await cliIn({ ...process.env, CITY_PACK: 'test/cities/tiny' }, 'classify', text, '--json');
    expect(tiny.code, tiny.stderr).toBe(0);
    expect(JSON.parse(tiny.stdout.trim())).toMatchObject({ label: '劳动和社会保障', categoryCode: '劳动和社会保障' });
  });

  it('eval --json prints macroF1, accuracy and perClass as its last line', async () => {
    const r = await cli('eval', SAMPLE, '--json');
    expect(r.code, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(Object.keys(last)).toEqual(['macroF1', 'accuracy', 'perClass']);
    expect(last.macroF1).toBeGreaterThan(0.8);
    expect(last.accuracy).toBeGreaterThan(0.8);
    expect(Object.keys(last.perClass)).toEqual(['城乡建设', '环境保护', '交通运输', '教育文体', '劳动和社会保障', '商贸旅游', '卫生计生']);
    expect(Object.keys(last.perClass.环境保护)).toEqual(['precision', 'recall', 'f1', 'support']);
  });

  it('refuses a bad file with exit code 1 and the line, and wrong usage with 2', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text":"路灯坏了","label":"城乡建设"}\n{"text":"噪音","label":"噪声"}\n');
    const unknown = await cli('eval', bad, '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/line 2: label "噪声" is not one the model knows/);
    writeFileSync(bad, '{"text":"路灯坏了","label":"城乡建设"}\n{"text": oops}\n');
    const broken = await cli('eval', bad);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/line 2: not valid JSON/);
    expect((await cli('eval', join(dir, 'missing.jsonl'))).code).toBe(1);
    expect((await cli('eval')).code).toBe(2);
    const holdout = await cli('train', SAMPLE, '--holdout', '2');
    expect(holdout.code).toBe(2);
    expect(holdout.stderr).toMatch(/--holdout must be a share/);
  });

  it('trains on a CSV of past work orders, prints per-class figures and writes a model eval can use', async () => {
    const csv = join(dir, 'orders.csv');
    const rows = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { title?: string; text: string; label: string });
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    writeFileSync(csv, ['title,text,label', ...rows.map((r) => [quote(r.title ?? ''), quote(r.text), r.label].join(','))].join('\n'));
    const out = join(dir, 'city.bin');
    const r = await cli('train', csv, '--out', out, '--holdout', '0.25', '--folds', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cross-validation \(3 folds/);
    expect(r.stdout).toMatch(/劳动和社会保障\s+\d\.\d{4}\s+\d\.\d{4}\s+\d\.\d{4}\s+\d+/);
    expect(r.stdout).toMatch(/macro-F1 \d\.\d{4}/);
    expect(r.stderr).toMatch(/cross-validate/);
    expect(existsSync(out)).toBe(true);
    const e = await cli('eval', SAMPLE, '--model', out, '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout.trim().split('\n').at(-1)!).accuracy).toBeGreaterThan(0.5);
  });
});
