import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { formatCityTime, formatNumber } from './format.ts';

export type Lang = 'zh' | 'en';

const KEY = 'cityloop.lang';

function initialLang(): Lang {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'en' || q === 'zh') return q;
  const stored = localStorage.getItem(KEY);
  return stored === 'en' ? 'en' : 'zh';
}

let current: Lang = initialLang();
/** The language the API is asked to answer in (state names, problem details, replies). */
export function currentLang(): Lang {
  return current;
}

interface I18n {
  readonly lang: Lang;
  setLang(l: Lang): void;
  /** zh-CN by default; every text is written in both languages where it is used. */
  tr(zh: string, en: string): string;
  fmtTime(iso: string | null | undefined): string;
  fmtNumber(n: number | null | undefined, digits?: number): string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(current);
  useEffect(() => {
    current = lang;
    localStorage.setItem(KEY, lang);
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = lang === 'zh' ? 'CityLoop 城市运行和治理中心' : 'CityLoop — city operations and governance center';
  }, [lang]);
  const value = useMemo<I18n>(() => {
    return {
      lang,
      setLang: (l) => {
        current = l;
        setLangState(l);
      },
      tr: (zh, en) => (lang === 'zh' ? zh : en),
      fmtTime: (iso) => formatCityTime(iso, lang),
      fmtNumber: (n, digits = 0) => formatNumber(n, digits),
    };
  }, [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/** How long until (or since) a deadline, as the clock on a task shows it. */
export function formatDuration(ms: number, lang: Lang): string {
  const neg = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (x: number) => String(x).padStart(2, '0');
  const body = d > 0 ? (lang === 'zh' ? `${d}天${h}时${pad(m)}分` : `${d}d ${h}h ${pad(m)}m`) : `${pad(h)}:${pad(m)}:${pad(s)}`;
  if (!neg) return body;
  return lang === 'zh' ? `超期 ${body}` : `overdue ${body}`;
}
