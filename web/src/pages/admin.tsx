import { useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n.tsx';
import { AccountSecurity } from './account-security.tsx';
import { Plans } from './admin/plans-editor.tsx';
import { Rules } from './admin/rules-editor.tsx';
import { RoutingTable } from './admin/routing-editor.tsx';
import { Categories } from './admin/categories-editor.tsx';
import { People } from './admin/people-editor.tsx';
import { Units } from './admin/units-editor.tsx';
import { useSession, hasRole } from '../session.tsx';

/**
 * Administration (预案与配置): plans, alert rules and the routing table as YAML with their problems
 * in place (line marks beside the text, the list under it), dry runs and versions; the category
 * list as a form table edited as a whole, its problems beside the cells. Staff read and dry-run;
 * only administrators save. People (users: roles, places, passwords) and units and centers are
 * administrators' tabs. One file per editor under admin/; this page only lays out the tabs.
 * Reference: docs/reference/administration.md.
 */

type Tab = 'plans' | 'rules' | 'routing' | 'categories' | 'people' | 'units' | 'account';

/** Administration: plans, rules and the routing table as YAML with problems in place, dry runs and versions; the category list. */
export default function Admin() {
  const { tr } = useI18n();
  const { session } = useSession();
  const admin = hasRole(session?.user, 'admin');
  const [tab, setTab] = useState<Tab>('plans');
  const tabs: readonly (readonly [Tab, string])[] = [
    ['plans', tr('预案', 'Plans')],
    ['rules', tr('告警规则', 'Alert rules')],
    ['routing', tr('派单目录', 'Routing table')],
    ['categories', tr('事项类别', 'Categories')],
    ...(admin
      ? ([
          ['people', tr('人员', 'People')],
          ['units', tr('单位与中心', 'Units and centers')],
        ] as const)
      : []),
    ['account', tr('账号安全', 'My account')],
  ];
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = tabs.findIndex(([k]) => k === tab);
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]![0];
    setTab(next);
    document.getElementById(`admin-tab-${next}`)?.focus();
  };
  return (
    <div className="page" data-testid="admin">
      <h1>{tr('预案与配置', 'Plans and settings')}</h1>
      <div className="row" role="tablist" aria-label={tr('配置', 'Settings')} style={{ marginBottom: '0.6rem' }} onKeyDown={onKey}>
        {tabs.map(([k, n]) => (
          <button key={k} id={`admin-tab-${k}`} type="button" role="tab" aria-selected={tab === k} aria-controls="admin-panel" tabIndex={tab === k ? 0 : -1} onClick={() => setTab(k)}>
            {n}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="admin-panel" aria-labelledby={`admin-tab-${tab}`}>
        {tab === 'plans' && <Plans />}
        {tab === 'rules' && <Rules />}
        {tab === 'routing' && <RoutingTable />}
        {tab === 'categories' && <Categories />}
        {tab === 'people' && admin && <People />}
        {tab === 'units' && admin && <Units />}
        {tab === 'account' && <AccountSecurity />}
      </div>
    </div>
  );
}

