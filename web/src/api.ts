import { currentLang } from './i18n.tsx';
import type { Session } from './types.ts';

const SESSION_KEY = 'cityloop.session';

export function loadSession(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    if (!s || new Date(s.expiresAt).getTime() < Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) localStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else localStorage.removeItem(SESSION_KEY);
}

/** An answer of the API that is not 2xx: the problem+json details, in the user's language. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: { path: string; message: string }[] = [],
    /** The one field a domain refusal names (problem+json `field`, e.g. `inputs.rainfall[0].hyetograph[2].value`). */
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/** The session ended elsewhere (the live feed was refused or ended): sign-in again. */
export function reportUnauthorized(): void {
  onUnauthorized?.();
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  /** Raw body (a photo) with its media type. */
  readonly raw?: { data: Blob; type: string };
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': currentLang(), ...(opts.headers ?? {}) };
  const s = loadSession();
  if (s) headers.authorization = `Bearer ${s.token}`;
  let body: BodyInit | undefined;
  if (opts.raw) {
    headers['content-type'] = opts.raw.type;
    body = opts.raw.data;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(path, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body: body ?? null, signal: opts.signal ?? null });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const p = (data ?? {}) as { code?: string; detail?: string; title?: string; errors?: { path: string; message: string }[]; field?: unknown };
    if (res.status === 401 && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? p.title ?? res.statusText, p.errors ?? [], typeof p.field === 'string' ? p.field : null);
  }
  return data as T;
}

/** GET that answers null when the route does not exist yet (404): optional capabilities such as alerts. */
export async function apiOptional<T>(path: string): Promise<T | null> {
  try {
    return await api<T>(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.code === 'ROUTE_NOT_FOUND') return null;
    throw e;
  }
}

export function qs(params: Record<string, string | number | boolean | undefined | null | readonly string[]>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const x of v) u.append(k, x);
    else u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
