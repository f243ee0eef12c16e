/**
 * Notifications written as JSON lines to a file: the channel of a deployment without an SMS or
 * e-mail gateway (staff or a script read the file), and a record for audits of what was sent.
 * One line per message: `{ at, channel, to, message, caseId, key }`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../../clock.ts';
import type { Notification, NotifyChannel, NotifyResult } from '../notify.ts';

export interface FileChannelOptions {
  /** Default 'log'. */
  readonly name?: string;
  readonly file: string;
  readonly clock?: Clock;
}

export function createFileChannel(opts: FileChannelOptions): NotifyChannel {
  const name = opts.name ?? 'log';
  const clock = opts.clock ?? systemClock;
  let dirReady: Promise<unknown> | null = null;
  // Appends run one after another, so lines keep the order of the sends and never interleave.
  let tail: Promise<unknown> = Promise.resolve();

  return {
    name,
    send(n: Notification): Promise<NotifyResult> {
      const line = `${JSON.stringify({ at: clock.now().toISOString(), channel: name, to: n.to, message: n.message, caseId: n.caseId, key: n.key })}\n`;
      const result = tail.then(async (): Promise<NotifyResult> => {
        try {
          dirReady ??= mkdir(dirname(opts.file), { recursive: true });
          await dirReady;
          await appendFile(opts.file, line, 'utf8');
          return { delivered: true, detail: null };
        } catch (err) {
          dirReady = null; // the directory may have been removed: try again next time
          return { delivered: false, detail: `could not write ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
        }
      });
      tail = result;
      return result;
    },
  };
}
