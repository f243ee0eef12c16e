import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { Notification } from '../notify.ts';
import { createFileChannel } from './file-channel.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cityloop-file-channel-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const note = (i: number): Notification => ({ channel: 'log', to: '渝中区应急值班室', message: `第 ${i} 条：太平洋广场应急供水点已启用`, caseId: i % 2 ? 'case-1' : null, key: `k${i}` });

describe('file channel', () => {
  it('creates the folders and appends one JSON line per message, in order', async () => {
    const file = join(dir, 'a', 'b', 'notifications.jsonl');
    const clock = new ManualClock('2026-01-05T04:00:00Z');
    const ch = createFileChannel({ file, clock });
    expect(ch.name).toBe('log');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ch.send(note(i))));
    expect(results.every((r) => r.delivered && r.detail === null)).toBe(true);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(20);
    expect(JSON.parse(lines[0]!)).toEqual({ at: '2026-01-05T04:00:00.000Z', channel: 'log', to: '渝中区应急值班室', message: note(0).message, caseId: null, key: 'k0' });
    expect(lines.map((l) => JSON.parse(l).key)).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`));
  });

  it('keeps earlier lines when reopened, and uses its own name', async () => {
    const file = join(dir, 'audit.jsonl');
    await createFileChannel({ file }).send(note(1));
    const ch = createFileChannel({ file, name: 'audit' });
    await ch.send(note(2));
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.channel, l.key])).toEqual([['log', 'k1'], ['audit', 'k2']]);
  });

  it('reports a file it cannot write as undelivered', async () => {
    const file = join(dir, 'is-a-folder');
    await mkdir(file);
    await expect(createFileChannel({ file }).send(note(1))).resolves.toEqual({ delivered: false, detail: `could not write ${file}: EISDIR` });
  });
});
