import { useI18n } from '../i18n.tsx';

export const SEVERITY_NAMES: Record<string, [string, string]> = { blue: ['蓝色', 'blue'], yellow: ['黄色', 'yellow'], orange: ['橙色', 'orange'], red: ['红色', 'red'] };
export const ALERT_STATUS_NAMES: Record<string, [string, string]> = { raised: ['待核实', 'to verify'], acknowledged: ['已接警', 'acknowledged'], verified: ['已核实', 'verified'], dismissed: ['已排除', 'dismissed'], cleared: ['已解除', 'cleared'] };
/** Open alerts: the ones somebody still has to verify or dismiss. */
export const OPEN_ALERT = new Set(['raised', 'acknowledged']);

export function SeverityChip({ s }: { s: string }) {
  const { tr } = useI18n();
  const n = SEVERITY_NAMES[s] ?? [s, s];
  return <span className={`chip sev-${s}`}>{tr(n[0], n[1])}</span>;
}

export function AlertStatusChip({ s }: { s: string }) {
  const { tr } = useI18n();
  return <span className={`chip alert-${s}`}>{tr(...(ALERT_STATUS_NAMES[s] ?? [s, s]))}</span>;
}

let audio: AudioContext | null = null;

/**
 * A short two-tone beep through Web Audio for a new urgent alert (no sound file to ship); three
 * tones for red. One audio context for the page: browsers let it sound once the user has
 * interacted with the page (signing in is enough).
 */
export function beep(severity: string): void {
  try {
    audio ??= new window.AudioContext();
    const ctx = audio;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    const tones = severity === 'red' ? [988, 740, 988] : [880, 660];
    tones.forEach((f, i) => {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      const t = ctx.currentTime + i * 0.22;
      o.frequency.value = f;
      o.connect(g).connect(ctx.destination);
      g.gain.setValueAtTime(0.0001, t);
      g.gain.exponentialRampToValueAtTime(0.18, t + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t + 0.2);
      o.start(t);
      o.stop(t + 0.21);
    });
  } catch {
    // no audio device: the badge and the title are enough
  }
}

