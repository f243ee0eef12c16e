import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorText, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import type { AdminUser, Role } from '../../types.ts';
import { ASSIGNABLE_ROLES, CenterPicker, UnitPicker, useCenters, useOrgNames } from './org-pickers.tsx';

/**
 * The people tab (人员): users listed and searched, one chosen and changed — name, roles, phone,
 * moved to another center or unit —, disabled and enabled with a reason, a password reset to a
 * one-time password shown once; a new user created. The server decides who may (a district
 * administrator: the people of its district) and records every change in the log.
 * Reference: docs/reference/administration.md#people-and-units.
 */


interface Draft {
  displayName: string;
  roles: Role[];
  centerId: string | null;
  unitId: string | null;
  phone: string;
}

function RoleBoxes(props: { readonly value: readonly Role[]; onChange(r: Role[]): void; readonly legend: string }) {
  const { roleName } = useOrgNames();
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {ASSIGNABLE_ROLES.map((r) => (
        <label key={r} className="inline" style={{ marginRight: '0.6rem' }}>
          <input type="checkbox" checked={props.value.includes(r)} onChange={(e) => props.onChange(e.target.checked ? [...props.value, r] : props.value.filter((x) => x !== r))} /> {roleName(r)}
        </label>
      ))}
    </fieldset>
  );
}

export function People() {
  const { tr } = useI18n();
  const { roleName } = useOrgNames();
  const { centers, byId } = useCenters();
  const [q, setQ] = useState('');
  const [items, setItems] = useState<readonly AdminUser[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [sel, setSel] = useState<AdminUser | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [reason, setReason] = useState('');
  const [otp, setOtp] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unitNames, setUnitNames] = useState<ReadonlyMap<string, string>>(new Map());

  const load = useCallback(async (text: string) => {
    try {
      const r = await api<{ items: AdminUser[]; truncated: boolean }>(`/api/v1/users${qs({ q: text.trim(), limit: 200 })}`);
      setItems(r.items);
      setTruncated(r.truncated);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => void load(q), 300);
    return () => clearTimeout(timer);
  }, [q, load]);
  // Unit names of the listed users (the list holds ids).
  useEffect(() => {
    const missing = [...new Set(items.map((u) => u.unitId).filter((id): id is string => id !== null && !unitNames.has(id)))].slice(0, 20);
    if (missing.length === 0) return;
    void Promise.all(missing.map((id) => api<{ items: { id: string; name: string }[] }>(`/api/v1/units${qs({ q: id })}`).then((r) => r.items.find((u) => u.id === id), () => undefined))).then((found) =>
      setUnitNames((m) => new Map([...m, ...found.filter((u): u is { id: string; name: string } => u !== undefined).map((u) => [u.id, u.name] as const)])),
    );
  }, [items, unitNames]);

  const choose = (u: AdminUser) => {
    setSel(u);
    setDraft({ displayName: u.displayName, roles: [...u.roles], centerId: u.centerId, unitId: u.unitId, phone: u.phone ?? '' });
    setOtp(null);
    setNote(null);
    setError(null);
    setReason('');
  };
  const placeOf = (u: AdminUser) => [u.centerId ? (byId.get(u.centerId)?.name ?? tr('未知中心', 'unknown center')) : null, u.unitId ? (unitNames.get(u.unitId) ?? tr('单位', 'a unit')) : null].filter(Boolean).join(' · ') || tr('（全市）', '(city-wide)');
  const act = async (what: () => Promise<AdminUser | void>, done: string) => {
    setError(null);
    setNote(null);
    try {
      const r = await what();
      setNote(done);
      await load(q);
      if (r) choose(r);
      setNote(done);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!sel || !draft) return;
    void act(
      () => api<AdminUser>(`/api/v1/users/${sel.id}`, { method: 'PATCH', body: { displayName: draft.displayName.trim(), roles: draft.roles, centerId: draft.centerId, unitId: draft.unitId, phone: draft.phone.trim() || null, ...(reason.trim() ? { reason: reason.trim() } : {}) } }),
      tr('已保存', 'Saved'),
    );
  };
  const toggle = () => {
    if (!sel) return;
    const action = sel.disabled ? 'enable' : 'disable';
    void act(async () => {
      await api(`/api/v1/users/${sel.id}/${action}`, { body: reason.trim() ? { reason: reason.trim() } : {} });
      return api<AdminUser>(`/api/v1/users/${sel.id}`);
    }, sel.disabled ? tr('已启用', 'Enabled') : tr('已停用', 'Disabled'));
  };
  const reset = async () => {
    if (!sel) return;
    setError(null);
    try {
      const r = await api<{ oneTimePassword: string }>(`/api/v1/users/${sel.id}/password-reset`, { body: reason.trim() ? { reason: reason.trim() } : {} });
      setOtp(r.oneTimePassword);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="case-grid" data-testid="people-editor">
      <section className="panel">
        <h2>{tr('人员', 'People')}</h2>
        <label className="inline">
          {tr('查找（用户名、姓名、电话）', 'Find (user name, name, phone)')}
          <input value={q} onChange={(e) => setQ(e.target.value)} style={{ marginLeft: '0.4rem', width: '14rem' }} />
        </label>
        <table className="small" data-testid="people-list">
          <thead>
            <tr>
              <th>{tr('用户名', 'User name')}</th>
              <th>{tr('姓名', 'Name')}</th>
              <th>{tr('角色', 'Roles')}</th>
              <th>{tr('所属', 'Belongs to')}</th>
              <th>{tr('状态', 'Status')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.id} aria-selected={sel?.id === u.id}>
                <td>
                  <button type="button" className="link" onClick={() => choose(u)}>
                    <code>{u.username}</code>
                  </button>
                </td>
                <td>{u.displayName}</td>
                <td>{u.roles.map(roleName).join('、')}</td>
                <td>{placeOf(u)}</td>
                <td>{u.disabled ? tr('已停用', 'disabled') : tr('启用', 'active')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {truncated && <p className="small">{tr('只显示前 200 人，请缩小查找范围', 'Only the first 200 are shown: narrow the search')}</p>}
        <NewUser centers={centers} onCreated={() => void load(q)} />
      </section>
      <section className="panel" aria-live="polite">
        {sel && draft ? (
          <form onSubmit={save} data-testid="person-form">
            <h2>
              <code>{sel.username}</code> {sel.disabled ? tr('（已停用）', '(disabled)') : ''}
            </h2>
            <label>
              {tr('姓名', 'Name')}
              <input value={draft.displayName} onChange={(e) => setDraft({ ...draft, displayName: e.target.value })} required maxLength={100} />
            </label>
            <RoleBoxes legend={tr('角色', 'Roles')} value={draft.roles} onChange={(roles) => setDraft({ ...draft, roles })} />
            <CenterPicker label={tr('所属中心', 'Center')} value={draft.centerId} centers={centers} onChange={(centerId) => setDraft({ ...draft, centerId })} testId="person-center" />
            <UnitPicker label={tr('所属单位', 'Unit')} value={draft.unitId} onChange={(unitId) => setDraft({ ...draft, unitId })} testId="person-unit" />
            <label>
              {tr('电话', 'Phone')}
              <input value={draft.phone} onChange={(e) => setDraft({ ...draft, phone: e.target.value })} maxLength={30} />
            </label>
            <label>
              {tr('原因（记入日志）', 'Reason (kept in the log)')}
              <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
            </label>
            <div className="row">
              <button type="submit">{tr('保存', 'Save')}</button>
              <button type="button" onClick={toggle}>
                {sel.disabled ? tr('启用账号', 'Enable account') : tr('停用账号', 'Disable account')}
              </button>
              <button type="button" onClick={() => void reset()}>
                {tr('重置密码', 'Reset password')}
              </button>
            </div>
            {otp && (
              <p className="note" role="status" data-testid="one-time-password">
                {tr('一次性密码（只显示这一次，请交给本人并提醒其登录后修改）：', 'One-time password (shown this once: hand it over and ask them to change it after signing in): ')}
                <code>{otp}</code>
              </p>
            )}
          </form>
        ) : (
          <p className="small">{tr('从左侧列表选择一个人', 'Choose a person from the list')}</p>
        )}
        {note && <p className="note" role="status">{note}</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
    </div>
  );
}

function NewUser(props: { readonly centers: Parameters<typeof CenterPicker>[0]['centers']; onCreated(): void }) {
  const { tr } = useI18n();
  const empty = { username: '', displayName: '', password: '', roles: ['operator'] as Role[], centerId: null as string | null, unitId: null as string | null };
  const [d, setD] = useState(empty);
  /** The user name just created: an identifier, shown as one. */
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setCreated(null);
    try {
      await api('/api/v1/users', { body: { username: d.username.trim(), displayName: d.displayName.trim(), password: d.password, roles: d.roles, ...(d.centerId ? { centerId: d.centerId } : {}), ...(d.unitId ? { unitId: d.unitId } : {}) } });
      setCreated(d.username.trim());
      setD(empty);
      props.onCreated();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details>
      <summary>{tr('新建人员', 'New person')}</summary>
      <form onSubmit={create} data-testid="new-person">
        <label>
          {tr('用户名（小写字母、数字、点）', 'User name (lower-case letters, digits, dots)')}
          <input value={d.username} onChange={(e) => setD({ ...d, username: e.target.value })} required pattern="[a-z0-9][a-z0-9._\-]{1,63}" />
        </label>
        <label>
          {tr('姓名', 'Name')}
          <input value={d.displayName} onChange={(e) => setD({ ...d, displayName: e.target.value })} required maxLength={100} />
        </label>
        <label>
          {tr('初始密码（至少 8 位）', 'First password (8 characters or more)')}
          <input type="password" autoComplete="new-password" value={d.password} onChange={(e) => setD({ ...d, password: e.target.value })} required minLength={8} />
        </label>
        <RoleBoxes legend={tr('角色', 'Roles')} value={d.roles} onChange={(roles) => setD({ ...d, roles })} />
        <CenterPicker label={tr('新人员所属中心', 'Center of the new person')} value={d.centerId} centers={props.centers} onChange={(centerId) => setD({ ...d, centerId })} />
        <UnitPicker label={tr('新人员所属单位', 'Unit of the new person')} value={d.unitId} onChange={(unitId) => setD({ ...d, unitId })} />
        <button type="submit">{tr('新建', 'Create')}</button>
        {created && (
          <p className="note" role="status">
            {tr('已新建', 'Created')} <code>{created}</code>
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}
