import { lazy, Suspense, useEffect, useState } from 'react';
import { I18nProvider, useI18n } from './i18n.tsx';
import { SessionProvider, useSession, homeOf, hasRole } from './session.tsx';
import { Link, navigate, usePath } from './router.tsx';
import { liveFeed, type FeedStatus } from './live-feed.ts';
import { ErrorBoundary } from './components/error-boundary.tsx';
import { prefetchCockpitData } from './map/cockpit-data.ts';

// Opening on the cockpit: its data is asked for now, and its code (MapLibre) fetched at once,
// before React's first render gets to it.
if (location.pathname === '/cockpit') {
  prefetchCockpitData();
  void import('./pages/cockpit.tsx').catch(() => undefined);
}

// Every page is its own chunk: the sign-in screen loads React and little else; the cockpit brings MapLibre.
// Signed-in users (the cockpit's operators every morning) never load the sign-in form.
const SignIn = lazy(() => import('./pages/sign-in.tsx').then((m) => ({ default: m.SignIn })));
const Cockpit = lazy(() => import('./pages/cockpit.tsx'));
const CasePage = lazy(() => import('./pages/case-page.tsx'));
const CaseList = lazy(() => import('./pages/case-list.tsx'));
const UnitWorkbench = lazy(() => import('./pages/unit-workbench.tsx'));
const GridWorker = lazy(() => import('./pages/grid-worker.tsx'));
const Citizen = lazy(() => import('./pages/citizen.tsx'));
const Kpis = lazy(() => import('./pages/kpis.tsx'));
const Admin = lazy(() => import('./pages/admin.tsx'));
const Handover = lazy(() => import('./pages/handover.tsx'));
const Analyses = lazy(() => import('./pages/analyses.tsx'));

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </I18nProvider>
  );
}

function LangSwitch() {
  const { lang, setLang } = useI18n();
  return (
    <button type="button" className="ghost" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} aria-label={lang === 'zh' ? '切换语言：English' : 'Switch language: 中文'} data-testid="lang-switch">
      {lang === 'zh' ? 'English' : '中文'}
    </button>
  );
}

function FeedBadge() {
  const { tr } = useI18n();
  const [s, setS] = useState<FeedStatus>(liveFeed.status);
  useEffect(() => liveFeed.onStatus(setS), []);
  const label = s === 'live' ? tr('实时', 'Live') : s === 'connecting' ? tr('连接中', 'Connecting') : tr('离线', 'Offline');
  return (
    <span className={`feed-badge feed-${s}`} role="status" aria-live="polite" data-testid="feed-status">
      <span aria-hidden="true">●</span> {label}
    </span>
  );
}

function Shell() {
  const { session, signOut } = useSession();
  const { tr } = useI18n();
  const path = usePath();
  const user = session?.user ?? null;

  // The live feed runs on every page of a signed-in user (the badge tells whether it is live).
  useEffect(() => (user ? liveFeed.subscribe(() => undefined) : undefined), [user]);

  useEffect(() => {
    if (!user && path !== '/signin') navigate(`/signin${path && path !== '/' ? `?next=${encodeURIComponent(path)}` : ''}`, true);
    else if (user && (path === '/' || path === '/signin')) navigate(homeOf(user), true);
  }, [user, path]);

  if (!user || path === '/signin') {
    return (
      <>
        <a className="skip" href="#main">{tr('跳到主要内容', 'Skip to content')}</a>
        <header className="topbar slim">
          <span className="brand">CityLoop <small>{tr('城市运行和治理中心', 'City operations and governance center')}</small></span>
          <span className="spacer" />
          <LangSwitch />
        </header>
        <main id="main">
          <Suspense fallback={null}>
            <SignIn />
          </Suspense>
        </main>
      </>
    );
  }

  const staff = hasRole(user, 'admin', 'operator', 'supervisor');
  const nav: { to: string; zh: string; en: string; show: boolean }[] = [
    { to: '/cockpit', zh: '驾驶舱', en: 'Cockpit', show: staff },
    { to: '/cases', zh: '事项清单', en: 'Cases', show: staff || hasRole(user, 'unit_staff', 'grid_worker') },
    { to: '/handover', zh: '交接班', en: 'Handover', show: staff },
    { to: '/analyses', zh: '模型分析', en: 'Analyses', show: staff },
    { to: '/kpis', zh: '体征与考核', en: 'Vital signs & KPIs', show: staff },
    { to: '/admin', zh: '预案与配置', en: 'Plans & settings', show: staff },
    { to: '/unit', zh: '部门工作台', en: 'Unit workbench', show: hasRole(user, 'unit_staff', 'admin') },
    { to: '/grid', zh: '网格员', en: 'Grid worker', show: hasRole(user, 'grid_worker') },
    { to: '/citizen', zh: '民呼我为', en: 'My appeals', show: hasRole(user, 'citizen') },
  ];
  const caseMatch = /^\/cases\/([^/]+)$/.exec(path);
  const analysisMatch = /^\/analyses(?:\/([^/]+))?$/.exec(path);
  let page;
  if (path === '/cockpit') page = <Cockpit />;
  else if (path === '/cases') page = <CaseList />;
  else if (caseMatch) page = <CasePage id={decodeURIComponent(caseMatch[1]!)} />;
  else if (path === '/unit') page = <UnitWorkbench />;
  else if (path === '/grid') page = <GridWorker />;
  else if (path === '/citizen') page = <Citizen />;
  else if (path === '/kpis') page = <Kpis />;
  else if (path === '/admin') page = <Admin />;
  else if (path === '/handover') page = <Handover />;
  else if (analysisMatch) page = <Analyses id={analysisMatch[1] ? decodeURIComponent(analysisMatch[1]) : null} />;
  else
    page = (
      <div className="page narrow">
        <h1>{tr('找不到页面', 'Page not found')}</h1>
        <Link to={homeOf(user)}>{tr('返回首页', 'Back to my page')}</Link>
      </div>
    );
  return (
    <>
      <a className="skip" href="#main">{tr('跳到主要内容', 'Skip to content')}</a>
      <header className="topbar">
        <Link to={homeOf(user)} className="brand">
          CityLoop <small>{tr('城市运行和治理中心', 'City operations and governance center')}</small>
        </Link>
        <nav aria-label={tr('主导航', 'Main')}>
          {nav.filter((n) => n.show).map((n) => (
            <Link key={n.to} to={n.to} aria-current={path === n.to ? 'page' : undefined}>
              {tr(n.zh, n.en)}
            </Link>
          ))}
        </nav>
        <span className="spacer" />
        <FeedBadge />
        <span className="who" data-testid="who">{user.displayName}</span>
        <LangSwitch />
        <button type="button" className="ghost" onClick={() => void signOut()}>
          {tr('退出', 'Sign out')}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary>
          <Suspense fallback={<div className="loading" role="status">{tr('加载中…', 'Loading…')}</div>}>{page}</Suspense>
        </ErrorBoundary>
      </main>
    </>
  );
}
