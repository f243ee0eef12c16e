import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorText } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { useLiveReload } from '../live-feed.ts';
import { mayTake } from '../analysis/analysis-view.ts';
import { ImpactList, loadFloodImpact, type FloodImpactData } from '../components/impact-list.tsx';
import { EvacuationBoard, loadEvacuationBoard, startEvacuation, type EvacuationBoardData } from '../components/evacuation-board.tsx';
import type { AnalysisView } from '../analysis/analysis-types.ts';

/** 404: no evacuation was started for the run yet — the board's answer, not an error to show. */
const notStarted = (e: unknown) => e instanceof ApiError && e.status === 404;

/**
 * What a finished run means (灾害态势研判, src/analyses/impact): the places and assets it reaches and
 * the people to move (the impact list), the evacuation board once 避险转移 has started, and the
 * button that starts it where the caller may (the server's rule: those who run models).
 */
export function AnalysisImpact({ a, roles }: { readonly a: AnalysisView; readonly roles: readonly string[] }) {
  const { tr } = useI18n();
  const [impact, setImpact] = useState<FloodImpactData | null>(null);
  const [board, setBoard] = useState<EvacuationBoardData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Terrain processing floods nothing: it has no impact to assess.
  const assessable = a.state === 'succeeded' && a.model !== 'fill';

  const load = useCallback(async () => {
    if (!assessable) return;
    try {
      const [i, b] = await Promise.all([loadFloodImpact(a.id), loadEvacuationBoard(a.id).catch((e) => (notStarted(e) ? null : Promise.reject(e)))]);
      setImpact(i);
      setBoard(b);
    } catch (e) {
      setError(errorText(e));
    }
  }, [a.id, assessable]);
  useEffect(() => {
    void load();
  }, [load]);
  // The counts of the communities arrive as case events on the live feed.
  useLiveReload(
    useCallback(() => {
      if (board) void load();
    }, [board, load]),
    1000,
  );

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      setBoard(await startEvacuation(a.id));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (!assessable) return null;
  return (
    <div className="stack" data-testid="analysis-impact">
      {impact && <ImpactList impact={impact} />}
      {!board && impact && impact.peopleToMove.length > 0 && mayTake(a, 'evacuate', roles) && (
        <button type="button" className="primary" disabled={busy} onClick={() => void start()} data-testid="start-evacuation">
          {tr('启动避险转移', 'Start the evacuation')}
        </button>
      )}
      {board && <EvacuationBoard board={board} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
