import { useCallback, useEffect, useState } from 'react';
import { api, qs } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { liveFeed } from '../live-feed.ts';
import { eventName } from './event-names.ts';
import { MODEL_NAMES, nameOf } from '../labels.ts';
import type { FeedMessage } from '../types.ts';

/** How many lines the live list keeps, and how far back it reads on open. */
const KEEP = 60;
const HISTORY_HOURS = 12;

interface Line {
  readonly id: number;
  readonly at: string;
  readonly m: FeedMessage;
}

/** What a feed event means in one line: its name (never its code), the case or alert, who. */
export function describeFeedEvent(m: FeedMessage, tr: (zh: string, en: string) => string): string {
  const c = m.data.case;
  const who = (m.data.actor as { name?: string } | undefined)?.name ?? '';
  const run = m.data.analysis as { model?: string; name?: string | null } | undefined;
  const subject = c ? `${c.number} ${c.title}` : m.data.alert ? `${m.data.alert.number} ${m.data.alert.title}` : run ? `${nameOf(MODEL_NAMES, run.model, tr, ['模型', 'Model'])}${run.name ? ` ${run.name}` : ''}` : '';
  return `${eventName(m.type, tr)} · ${subject}${who ? ` · ${who}` : ''}`;
}

function lineOf(m: FeedMessage): Line {
  return { id: m.id, at: (m.data.at as string | undefined) ?? new Date().toISOString(), m };
}

/** Lines merged by the event's id (the log's seq): history and stream meet without doubles, newest first. */
function merge(a: readonly Line[], b: readonly Line[]): Line[] {
  const byId = new Map<number, Line>();
  for (const l of [...a, ...b]) if (!byId.has(l.id)) byId.set(l.id, l);
  return [...byId.values()].sort((x, y) => y.id - x.id).slice(0, KEEP);
}

/**
 * The cockpit's live list (实时动态): on open it shows the last hours of the feed the user may see
 * (GET /api/v1/feed/recent, filtered on the server exactly as the stream), then what the stream
 * brings. Each time the stream is (re)connected the history is read again, so nothing between the
 * two is lost; lines are kept by the event's id, so nothing shows twice.
 */
export function LiveActivity({ onCase }: { onCase: (caseId: string) => void }) {
  const { tr, fmtTime } = useI18n();
  const [lines, setLines] = useState<Line[]>([]);
  const [loaded, setLoaded] = useState(false);

  const loadHistory = useCallback(async () => {
    const since = new Date(Date.now() - HISTORY_HOURS * 3600_000).toISOString();
    const r = await api<{ items: FeedMessage[] }>(`/api/v1/feed/recent${qs({ since, limit: KEEP })}`);
    setLines((l) => merge(l, r.items.map(lineOf)));
    setLoaded(true);
  }, []);

  useEffect(() => {
    // Progress of a model run is not in the log (id 0): the list keeps what happened, not every percent.
    const off = liveFeed.subscribe((m) => {
      if (m.id > 0) setLines((l) => merge([lineOf(m)], l));
    });
    // Read once now; again whenever the stream comes (back) live after this (not for the state it is in now).
    let wasLive = liveFeed.status === 'live';
    const offStatus = liveFeed.onStatus((s) => {
      if (s === 'live' && !wasLive) void loadHistory().catch(() => setLoaded(true));
      wasLive = s === 'live';
    });
    void loadHistory().catch(() => setLoaded(true));
    return () => {
      off();
      offStatus();
    };
  }, [loadHistory]);

  return (
    <section className="panel grow" aria-labelledby="act-h" data-testid="activity">
      <h2 id="act-h">{tr('实时动态', 'Live activity')}</h2>
      <ol className="list activity" aria-live="polite" aria-relevant="additions">
        {lines.length === 0 && <li className="muted">{loaded ? tr(`近 ${HISTORY_HOURS} 小时无事件，等待新事件…`, `No events in the last ${HISTORY_HOURS} hours; waiting…`) : tr('加载中…', 'Loading…')}</li>}
        {lines.map((a) => (
          <li key={a.id} data-event-id={a.id}>
            <time className="muted small">{fmtTime(a.at)}</time>{' '}
            {a.m.data.case ? (
              <button type="button" className="link" onClick={() => onCase(a.m.data.case!.id)}>
                {describeFeedEvent(a.m, tr)}
              </button>
            ) : (
              describeFeedEvent(a.m, tr)
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
