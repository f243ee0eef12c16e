import { api, ApiError, qs } from './api.ts';
import type { CaseView } from './types.ts';

/**
 * The grid worker's outbox on a flaky connection. A report waits in localStorage with the id the
 * client chose (clientRequestId): resending after a lost answer returns the same case instead of a
 * second one. Photos follow once the case exists, each marked sent so none goes twice.
 */
export interface QueuedReport {
  readonly clientRequestId: string;
  readonly body: Record<string, unknown>;
  readonly photos: { name: string; type: string; dataUrl: string; sent: boolean }[];
  caseId: string | null;
  caseNumber: string | null;
  readonly queuedAt: string;
  attempts: number;
  lastError: string | null;
}

const KEY = 'cityloop.outbox';

export function readQueue(): QueuedReport[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]') as QueuedReport[];
  } catch {
    return [];
  }
}

function writeQueue(q: QueuedReport[]): void {
  localStorage.setItem(KEY, JSON.stringify(q));
}

export function enqueue(r: QueuedReport): void {
  writeQueue([...readQueue(), r]);
}

function update(r: QueuedReport): void {
  writeQueue(readQueue().map((x) => (x.clientRequestId === r.clientRequestId ? r : x)));
}

function remove(id: string): void {
  writeQueue(readQueue().filter((x) => x.clientRequestId !== id));
}

export async function fileToDataUrl(f: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(f);
  });
}

async function dataUrlToBlob(u: string): Promise<Blob> {
  return (await fetch(u)).blob();
}

let flushing: Promise<{ sent: number; failed: number }> | null = null;

/** Sends what waits, oldest first; a report refused by the server (4xx other than 408/429) stays with its error for the worker to see. */
export function flushQueue(): Promise<{ sent: number; failed: number }> {
  flushing ??= (async () => {
    let sent = 0;
    let failed = 0;
    for (const r of readQueue()) {
      try {
        if (!r.caseId) {
          const c = await api<CaseView>('/api/v1/cases', { body: { ...r.body, clientRequestId: r.clientRequestId }, headers: { 'idempotency-key': r.clientRequestId } });
          r.caseId = c.id;
          r.caseNumber = c.number;
          update(r);
        }
        for (const p of r.photos) {
          if (p.sent) continue;
          await api(`/api/v1/cases/${r.caseId}/attachments${qs({ fileName: p.name })}`, { raw: { data: await dataUrlToBlob(p.dataUrl), type: p.type || 'application/octet-stream' } });
          p.sent = true;
          update(r);
        }
        remove(r.clientRequestId);
        sent++;
      } catch (e) {
        r.attempts++;
        r.lastError = e instanceof Error ? e.message : String(e);
        update(r);
        failed++;
        // Offline: stop here and keep the order; a refused report does not block the others.
        if (!(e instanceof ApiError) || e.status === 408 || e.status === 429 || e.status >= 500) break;
      }
    }
    return { sent, failed };
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}
