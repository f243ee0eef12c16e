import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { useLiveReload } from '../live-feed.ts';
import { mayTake } from '../analysis/analysis-view.ts';
import type { AnalysisView } from '../analysis/analysis-types.ts';

/** An answer of 404/409: the run has no such report (yet), which is not an error to show. */
const absent = (e: unknown) => e instanceof ApiError && (e.status === 404 || e.status === 409);

/**
 * What a finished run means (灾害态势研判): the places and assets it reaches and the people to move
 * (GET …/impact), the evacuation board (GET …/evacuation) and the button that starts the
 * evacuation (启动避险转移, POST …/evacuation) where the caller may.
 */
export function AnalysisImpact({ a, roles }: { readonly a: AnalysisView; readonly roles: readonly string[] }) {
  const { tr } = useI18n();
  const [impact, setImpact] = useState<unknown>(null);
  const [board, setBoard] = useState<unknown>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const done = a.state === 'succeeded';
  const base = `/api/v1/analyses/${encodeURIComponent(a.id)}`;

  const load = useCallback(async () => {
    if (!done) return;
    const [i, b] = await Promise.all([api<unknown>(`${base}/impact`).catch((e) => (absent(e) ? null : Promise.reject(e))), api<unknown>(`${base}/evacuation`).catch((e) => (absent(e) ? null : Promise.reject(e)))]).catch((e) => {
      setError(errorText(e));
      return [null, null] as const;
    });
    setImpact(i);
    setBoard(b);
  }, [base, done]);
  useEffect(() => {
    void load();
  }, [load]);
  useLiveReload(load, 1000);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`${base}/evacuation`, { method: 'POST', body: {} });
      await load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (!done) return null;
  const started = isStarted(board);
  return (
    <div className="stack" data-testid="analysis-impact">
      {impact !== null && <ImpactView report={impact} />}
      {mayTake(a, 'evacuate', roles) && !started && (
        <button type="button" className="primary" disabled={busy} onClick={() => void start()} data-testid="start-evacuation">
          {tr('启动避险转移', 'Start the evacuation')}
        </button>
      )}
      {board !== null && <BoardView board={board} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The board says whether an evacuation runs: a case for it, or rows of communities with a task. */
function isStarted(board: unknown): boolean {
  const b = board as { caseId?: unknown; started?: unknown } | null;
  return !!b && (typeof b.caseId === 'string' || b.started === true);
}

function ImpactView({ report }: { readonly report: unknown }) {
  void report;
  return null;
}

function BoardView({ board }: { readonly board: unknown }) {
  void board;
  return null;
}
