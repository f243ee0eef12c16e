import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { elapsedLabel } from '../analysis/legend.ts';

/** How long each snapshot stays on screen while playing. */
const FRAME_MS = 900;

/**
 * A slider over a run's snapshots (t seconds since its start) with play and pause: `onChange`
 * gets the index to show; `index` -1 is none of them (the map shows another layer). Playing stops
 * at the last one; pressing play there, or before any, starts from the first.
 */
export function TimeSlider({ times, index, onChange }: { readonly times: readonly number[]; readonly index: number; readonly onChange: (i: number) => void }) {
  const { tr } = useI18n();
  const [playing, setPlaying] = useState(false);
  const last = times.length - 1;
  useEffect(() => {
    if (!playing) return;
    if (index >= last || index < 0) {
      if (index >= last) setPlaying(false);
      return;
    }
    const t = setTimeout(() => onChange(index + 1), FRAME_MS);
    return () => clearTimeout(t);
  }, [playing, index, last, onChange]);
  if (times.length === 0) return null;
  const at = Math.max(0, Math.min(index, last));
  const label = elapsedLabel(times[at] ?? 0);
  return (
    <div className="time-slider row" data-testid="time-slider">
      <button
        type="button"
        onClick={() => {
          if (!playing && (index >= last || index < 0)) onChange(0);
          setPlaying(!playing);
        }}
        aria-pressed={playing}
        data-testid="time-play"
      >
        {playing ? tr('暂停', 'Pause') : tr('播放', 'Play')}
      </button>
      <input
        type="range"
        min={0}
        max={last}
        step={1}
        value={at}
        onChange={(e) => {
          setPlaying(false);
          onChange(Number(e.target.value));
        }}
        aria-label={tr('时刻', 'Time')}
        aria-valuetext={label}
        data-testid="time-range"
      />
      <output className="time-label" data-testid="time-label" aria-live="polite">
        {label}
      </output>
      <span className="muted small">{tr(`第 ${at + 1}/${times.length} 帧`, `frame ${at + 1} of ${times.length}`)}</span>
    </div>
  );
}
