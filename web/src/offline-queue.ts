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

/** A list kept in the browser's storage under one key; a value that cannot be read counts as empty. */
function storedList<T>(key: string): { read: () => T[]; write: (list: T[]) => void } {
  return {
    read: () => {
      try {
        return JSON.parse(localStorage.getItem(key) ?? '[]') as T[];
      } catch {
        return [];
      }
    },
    write: (list) => localStorage.setItem(key, JSON.stringify(list)),
  };
}

const reports = storedList<QueuedReport>('cityloop.outbox');

export function readQueue(): QueuedReport[] {
  return reports.read();
}

function writeQueue(q: QueuedReport[]): void {
  reports.write(q);
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

/** Decoded here, not with fetch(): the app's Content-Security-Policy lets it connect to its own server only. */
async function dataUrlToBlob(u: string): Promise<Blob> {
  const m = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s.exec(u);
  if (!m) throw new Error('not a data: URL');
  const type = m[1] || 'application/octet-stream';
  if (!m[3]) return new Blob([decodeURIComponent(m[4]!)], { type });
  const bin = atob(m[4]!);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
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

/**
 * The grid worker's finished tasks on a flaky connection: pressing "done" writes the task here
 * first, then the outbox signs for the task if nobody had, uploads the photos and reports it done.
 * Every request carries an Idempotency-Key (this entry's id, plus the step), and the server answers
 * a resend of what this worker already did with 200 (`idempotent-replayed`): a lost answer never
 * completes twice or shows a confusing refusal. If a colleague of the office finished the task
 * first, the entry is dropped and the worker is told so.
 */
export interface QueuedTaskDone {
  readonly id: string;
  readonly caseId: string;
  readonly taskId: string;
  /** The case title, for the outbox list. */
  readonly title: string;
  readonly note: string;
  /** Still to sign for (签收) before reporting it done. */
  needsAccept: boolean;
  readonly photos: { name: string; type: string; dataUrl: string; attachmentId: string | null }[];
  readonly queuedAt: string;
  attempts: number;
  lastError: string | null;
}

/** How a queued task ended: reported done by this phone, or found done already (by a colleague of the office). */
export interface TaskOutcome {
  readonly taskId: string;
  readonly title: string;
  readonly outcome: 'done' | 'done_by_other';
}

const taskDones = storedList<QueuedTaskDone>('cityloop.taskOutbox');

export function readTaskQueue(): QueuedTaskDone[] {
  return taskDones.read();
}

function writeTaskQueue(q: QueuedTaskDone[]): void {
  taskDones.write(q);
}

/** Queues a task as done; pressing done twice on one task keeps the first entry. */
export function enqueueTaskDone(t: QueuedTaskDone): void {
  const q = readTaskQueue();
  if (q.some((x) => x.taskId === t.taskId)) return;
  writeTaskQueue([...q, t]);
}

function updateTask(t: QueuedTaskDone): void {
  writeTaskQueue(readTaskQueue().map((x) => (x.id === t.id ? t : x)));
}

export function discardTaskDone(id: string): void {
  writeTaskQueue(readTaskQueue().filter((x) => x.id !== id));
}

/** The task's state on the server now (after a refusal: has it moved on without us?). */
async function taskStateNow(caseId: string, taskId: string): Promise<string | null> {
  const c = await api<CaseView>(`/api/v1/cases/${caseId}`);
  return c.tasks.find((t) => t.id === taskId)?.state ?? null;
}

const isConflict = (e: unknown) => e instanceof ApiError && e.status === 409;

let flushingTasks: Promise<{ sent: number; failed: number; outcomes: TaskOutcome[] }> | null = null;

/** Sends the finished tasks that wait, oldest first; stops at the first network failure. */
export function flushTaskQueue(): Promise<{ sent: number; failed: number; outcomes: TaskOutcome[] }> {
  flushingTasks ??= (async () => {
    let sent = 0;
    let failed = 0;
    const outcomes: TaskOutcome[] = [];
    for (const t of readTaskQueue()) {
      const base = `/api/v1/cases/${encodeURIComponent(t.caseId)}/tasks/${encodeURIComponent(t.taskId)}`;
      try {
        if (t.needsAccept) {
          try {
            await api(`${base}/accept`, { body: {}, headers: { 'idempotency-key': `${t.id}.accept` } });
          } catch (e) {
            // Signed for by a colleague meanwhile: go on; anything else is reported below.
            if (!isConflict(e) || !['accepted', 'in_progress', 'done'].includes((await taskStateNow(t.caseId, t.taskId)) ?? '')) throw e;
          }
          t.needsAccept = false;
          updateTask(t);
        }
        for (const [i, p] of t.photos.entries()) {
          if (p.attachmentId) continue;
          const r = await api<{ id: string }>(`/api/v1/cases/${encodeURIComponent(t.caseId)}/attachments${qs({ fileName: p.name })}`, {
            raw: { data: await dataUrlToBlob(p.dataUrl), type: p.type || 'application/octet-stream' },
            headers: { 'idempotency-key': `${t.id}.photo${i}` },
          });
          p.attachmentId = r.id;
          updateTask(t);
        }
        const attachmentIds = t.photos.map((p) => p.attachmentId).filter((x): x is string => x !== null);
        try {
          await api(`${base}/complete`, { body: { note: t.note, ...(attachmentIds.length > 0 ? { evidence: { attachmentIds } } : {}) }, headers: { 'idempotency-key': t.id } });
          outcomes.push({ taskId: t.taskId, title: t.title, outcome: 'done' });
        } catch (e) {
          // Refused as already done, and not as a resend of ours: a colleague finished it first.
          if (!isConflict(e) || (await taskStateNow(t.caseId, t.taskId)) !== 'done') throw e;
          outcomes.push({ taskId: t.taskId, title: t.title, outcome: 'done_by_other' });
        }
        discardTaskDone(t.id);
        sent++;
      } catch (e) {
        t.attempts++;
        t.lastError = e instanceof Error ? e.message : String(e);
        updateTask(t);
        failed++;
        if (!(e instanceof ApiError) || e.status === 408 || e.status === 429 || e.status >= 500) break;
      }
    }
    return { sent, failed, outcomes };
  })().finally(() => {
    flushingTasks = null;
  });
  return flushingTasks;
}

/**
 * 到场 from the field on a flaky connection: the arrival (the phone's WGS-84 position and the time it
 * was taken) waits here, signs for the task first if nobody had, and is sent with this entry's id as
 * its Idempotency-Key. The server keeps the phone's time, so an arrival sent late still counts when it
 * happened; a resend after a lost answer is recognised by that time (200, `idempotent-replayed`).
 * An arrival refused because the task already has one (a colleague of the office) is dropped and told.
 */
export interface QueuedArrival {
  readonly id: string;
  readonly caseId: string;
  readonly taskId: string;
  readonly title: string;
  readonly lng: number;
  readonly lat: number;
  readonly accuracy: number;
  /** When the position was taken (ISO): the time of arrival. */
  readonly at: string;
  needsAccept: boolean;
  attempts: number;
  lastError: string | null;
}

export interface ArrivalOutcome {
  readonly taskId: string;
  readonly title: string;
  readonly outcome: 'arrived' | 'arrived_before';
  /** Metres from the site, as the server measured it. */
  readonly distanceM: number | null;
}

const arrivals = storedList<QueuedArrival>('cityloop.arrivalOutbox');

export function readArrivalQueue(): QueuedArrival[] {
  return arrivals.read();
}

/** Queues an arrival; a second press on one task keeps the first (its time is the arrival's). */
export function enqueueArrival(a: QueuedArrival): void {
  const q = arrivals.read();
  if (q.some((x) => x.taskId === a.taskId)) return;
  arrivals.write([...q, a]);
}

export function discardArrival(id: string): void {
  arrivals.write(arrivals.read().filter((x) => x.id !== id));
}

function updateArrival(a: QueuedArrival): void {
  arrivals.write(arrivals.read().map((x) => (x.id === a.id ? a : x)));
}

let flushingArrivals: Promise<{ sent: number; failed: number; outcomes: ArrivalOutcome[] }> | null = null;

/** Sends the arrivals that wait, oldest first; stops at the first network failure; a refusal stays with its reason. */
export function flushArrivalQueue(): Promise<{ sent: number; failed: number; outcomes: ArrivalOutcome[] }> {
  flushingArrivals ??= (async () => {
    let sent = 0;
    let failed = 0;
    const outcomes: ArrivalOutcome[] = [];
    for (const a of readArrivalQueue()) {
      const base = `/api/v1/cases/${encodeURIComponent(a.caseId)}/tasks/${encodeURIComponent(a.taskId)}`;
      try {
        if (a.needsAccept) {
          try {
            await api(`${base}/accept`, { body: {}, headers: { 'idempotency-key': `${a.id}.accept` } });
          } catch (e) {
            if (!isConflict(e) || !['accepted', 'in_progress', 'done'].includes((await taskStateNow(a.caseId, a.taskId)) ?? '')) throw e;
          }
          a.needsAccept = false;
          updateArrival(a);
        }
        try {
          const c = await api<CaseView>(`${base}/arrive`, { body: { lng: a.lng, lat: a.lat, crs: 'wgs84', accuracy: Math.round(a.accuracy), at: a.at }, headers: { 'idempotency-key': a.id } });
          outcomes.push({ taskId: a.taskId, title: a.title, outcome: 'arrived', distanceM: c.tasks.find((x) => x.id === a.taskId)?.arrival?.distanceM ?? null });
        } catch (e) {
          if (!(e instanceof ApiError) || e.code !== 'TASK_ALREADY_ARRIVED') throw e;
          outcomes.push({ taskId: a.taskId, title: a.title, outcome: 'arrived_before', distanceM: null });
        }
        discardArrival(a.id);
        sent++;
      } catch (e) {
        a.attempts++;
        a.lastError = e instanceof Error ? e.message : String(e);
        updateArrival(a);
        failed++;
        if (!(e instanceof ApiError) || e.status === 408 || e.status === 429 || e.status >= 500) break;
      }
    }
    return { sent, failed, outcomes };
  })().finally(() => {
    flushingArrivals = null;
  });
  return flushingArrivals;
}
