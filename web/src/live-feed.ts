import { useEffect } from 'react';
import { loadSession, reportUnauthorized } from './api.ts';
import { currentLang } from './i18n.tsx';
import type { FeedMessage } from './types.ts';

type Listener = (m: FeedMessage) => void;
type StatusListener = (s: FeedStatus) => void;
export type FeedStatus = 'connecting' | 'live' | 'offline';

/**
 * The live feed (Server-Sent Events) read with fetch rather than EventSource: the token travels in
 * the Authorization header instead of the URL, every event type reaches one handler, and a
 * reconnect sends Last-Event-ID so nothing committed in between is missed.
 */
class LiveFeed {
  #listeners = new Set<Listener>();
  #statusListeners = new Set<StatusListener>();
  #abort: AbortController | null = null;
  #lastId = 0;
  #status: FeedStatus = 'offline';
  #retryMs = 1000;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #token: string | null = null;

  get status(): FeedStatus {
    return this.#status;
  }

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    this.#ensure();
    return () => this.#listeners.delete(fn);
  }

  onStatus(fn: StatusListener): () => void {
    this.#statusListeners.add(fn);
    fn(this.#status);
    return () => this.#statusListeners.delete(fn);
  }

  /** Sign-out or a change of user: drop the connection and forget the position. */
  stop(): void {
    this.#abort?.abort();
    this.#abort = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#token = null;
    this.#lastId = 0;
    this.#setStatus('offline');
  }

  #setStatus(s: FeedStatus) {
    this.#status = s;
    for (const fn of this.#statusListeners) fn(s);
  }

  #ensure() {
    const s = loadSession();
    if (!s) return;
    if (this.#token !== s.token) {
      this.stop();
      this.#token = s.token;
    }
    if (this.#abort || this.#timer) return;
    void this.#run(s.token);
  }

  async #run(token: string) {
    const abort = new AbortController();
    this.#abort = abort;
    this.#setStatus('connecting');
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'accept-language': currentLang() };
      if (this.#lastId > 0) headers['last-event-id'] = String(this.#lastId);
      const res = await fetch('/api/v1/events/stream', { headers, signal: abort.signal });
      // The session ended (signed out elsewhere, expired, password changed, user disabled): the
      // server closed the stream and refuses it now; retrying would never succeed.
      if (res.status === 401) {
        this.#abort = null;
        this.stop();
        reportUnauthorized();
        return;
      }
      if (!res.ok || !res.body) throw new Error(`feed answered ${res.status}`);
      this.#setStatus('live');
      this.#retryMs = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          this.#dispatch(block);
        }
      }
    } catch {
      // fall through to the reconnect below
    }
    if (this.#abort !== abort || abort.signal.aborted) return;
    this.#abort = null;
    this.#setStatus('offline');
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#listeners.size > 0 && this.#token === token) void this.#run(token);
    }, this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, 15_000);
  }

  #dispatch(block: string) {
    let id = 0;
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'id') id = Number(value);
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    if (id > this.#lastId) this.#lastId = id;
    let parsed: FeedMessage['data'];
    try {
      parsed = JSON.parse(data.join('\n')) as FeedMessage['data'];
    } catch {
      return;
    }
    const m: FeedMessage = { id, type, data: parsed };
    for (const fn of this.#listeners) fn(m);
  }
}

export const liveFeed = new LiveFeed();

/** Alert events as the sensing pipeline publishes them on the same feed. */
export const ALERT_EVENTS = new Set(['AlertRaised', 'AlertUpdated', 'AlertAcknowledged', 'AlertVerified', 'AlertDismissed', 'AlertCleared']);

/**
 * Runs `reload` after events of the live feed, at most once per `batchMs` however many arrive
 * together (a page that shows a list re-reads it rather than patching it).
 */
export function useLiveReload(reload: () => void, batchMs = 500): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = liveFeed.subscribe(() => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, batchMs);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [reload, batchMs]);
}
