import { useMemo } from 'react';
import { useI18n } from '../i18n.tsx';
import type { Indicator, IndicatorLevel } from '../types.ts';

export const LEVEL_NAMES: Record<IndicatorLevel, [string, string]> = { normal: ['正常', 'normal'], blue: ['蓝色', 'blue'], yellow: ['黄色', 'yellow'], orange: ['橙色', 'orange'], red: ['红色', 'red'] };
const RANK: Record<IndicatorLevel, number> = { normal: 0, blue: 1, yellow: 2, orange: 3, red: 4 };

/** The six categories in the order the API gives them, each with its indicators and its worst level. */
export function byCategory(items: readonly Indicator[]): { category: string; name: { zh: string; en: string }; level: IndicatorLevel; items: Indicator[] }[] {
  const out = new Map<string, { category: string; name: { zh: string; en: string }; level: IndicatorLevel; items: Indicator[] }>();
  for (const i of items) {
    const g = out.get(i.category) ?? { category: i.category, name: i.categoryName, level: 'normal' as IndicatorLevel, items: [] };
    g.items.push(i);
    if (RANK[i.level] > RANK[g.level]) g.level = i.level;
    out.set(i.category, g);
  }
  return [...out.values()];
}

function thresholdText(t: Indicator['thresholds'], unit: string, tr: (zh: string, en: string) => string): string {
  const parts = (['blue', 'yellow', 'orange', 'red'] as const).filter((s) => t[s] !== undefined).map((s) => `${tr(...LEVEL_NAMES[s])} ≥ ${t[s]}${unit}`);
  return parts.join(' · ');
}

/**
 * 城市体征: the six categories of vital signs, each a tile coloured by its worst level, with its
 * indicators (value, unit, level; thresholds on hover and for screen readers). `compact` is the
 * cockpit's version (one line per indicator), the KPI page shows the same with more room.
 */
export function VitalSigns({ items, compact = false }: { items: readonly Indicator[]; compact?: boolean }) {
  const { tr, lang, fmtNumber } = useI18n();
  const groups = useMemo(() => byCategory(items), [items]);
  return (
    <ul className={`vital-signs${compact ? ' compact' : ''}`} data-testid="vital-signs">
      {groups.map((g) => (
        <li key={g.category} className={`vs-tile level-${g.level}`} data-category={g.category} data-level={g.level}>
          <h3>
            {lang === 'zh' ? g.name.zh : g.name.en} <span className="sr-only">: {tr(...LEVEL_NAMES[g.level])}</span>
          </h3>
          <ul>
            {g.items.map((i) => (
              <li key={i.key} title={`${lang === 'zh' ? i.name.zh : i.name.en} — ${thresholdText(i.thresholds, i.unit, tr)}`}>
                <span className="vs-name">{lang === 'zh' ? i.name.zh : i.name.en}</span>
                <span className={`vs-value level-${i.level}`}>
                  {i.value === null ? <span className="muted" title={tr('无此类设备', 'no such devices here')}>—</span> : <>{fmtNumber(i.value, i.unit === '%' ? 1 : 0)}<small>{i.unit}</small></>}
                </span>
                <span className="sr-only">{tr(...LEVEL_NAMES[i.level])}</span>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
