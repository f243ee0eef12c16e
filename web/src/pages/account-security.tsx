import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorText, saveSession, loadSession } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { useSession, hasRole } from '../session.tsx';

/**
 * The signed-in user's own credentials (账号安全): API tokens (issue with scopes and an expiry,
 * list, revoke), the password, and the TOTP second factor for supervisors and administrators.
 * Reference: docs/reference/security.md.
 */

interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly status: 'active' | 'expired' | 'revoked';
}

const SCOPES = ['read', 'write', 'ingest', 'open311'] as const;

function ApiTokens() {
  const { tr } = useI18n();
  const [items, setItems] = useState<readonly TokenInfo[]>([]);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<readonly string[]>(['read']);
  const [days, setDays] = useState(90);
  const [issued, setIssued] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<{ items: TokenInfo[] }>('/api/v1/auth/api-tokens').then((r) => setItems(r.items), (e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);
  const issue = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ token: string }>('/api/v1/auth/api-tokens', { body: { name: name.trim(), scopes, expiresInDays: days } });
      setIssued(r.token);
      setName('');
      load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api(`/api/v1/auth/api-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
      load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const statusText = { active: tr('有效', 'active'), expired: tr('已过期', 'expired'), revoked: tr('已吊销', 'revoked') };
  // A scope is a code on the wire; people read its name.
  const scopeText: Record<string, string> = { read: tr('只读', 'read'), write: tr('写入', 'write'), ingest: tr('数据接入', 'ingest'), open311: 'Open311' };
  return (
    <section className="panel stack" data-testid="api-tokens">
      <h2>{tr('API 令牌', 'API tokens')}</h2>
      <form className="stack" onSubmit={issue}>
        <label>
          {tr('用途', 'Purpose')}
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required />
        </label>
        <fieldset className="row">
          <legend>{tr('权限范围', 'Scopes')}</legend>
          {SCOPES.map((s) => (
            <label key={s}>
              <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} /> {scopeText[s] ?? s}
            </label>
          ))}
        </fieldset>
        <label>
          {tr('有效天数（1–365）', 'Days valid (1–365)')}
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))} required />
        </label>
        <button type="submit" className="primary" disabled={scopes.length === 0}>
          {tr('签发令牌', 'Issue token')}
        </button>
      </form>
      {issued && (
        <p role="status" data-testid="issued-token">
          {tr('令牌只显示这一次，请立即保存：', 'The token is shown this once; keep it now: ')}
          <code>{issued}</code>
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>{tr('用途', 'Purpose')}</th>
            <th>{tr('权限范围', 'Scopes')}</th>
            <th>{tr('到期', 'Expires')}</th>
            <th>{tr('状态', 'Status')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.scopes.map((x) => scopeText[x] ?? x).join(tr('、', ', '))}</td>
              <td>{t.expiresAt ? t.expiresAt.slice(0, 10) : '—'}</td>
              <td>{statusText[t.status]}</td>
              <td>
                {t.status === 'active' && (
                  <button type="button" onClick={() => void revoke(t.id)}>
                    {tr('吊销', 'Revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Password() {
  const { tr } = useI18n();
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await api<{ token: string; expiresAt: string }>('/api/v1/me/password', { body: { oldPassword, newPassword } });
      // Every earlier session ended; this tab goes on with the new one.
      const s = loadSession();
      if (s) saveSession({ ...s, token: r.token, expiresAt: r.expiresAt });
      setOld('');
      setNew('');
      setMessage({ ok: true, text: tr('密码已修改，其他设备上的登录已全部退出', 'Password changed; every other sign-in has ended') });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };
  return (
    <section className="panel stack">
      <h2>{tr('修改密码', 'Change password')}</h2>
      <form className="stack" onSubmit={submit}>
        <label>
          {tr('原密码', 'Current password')}
          <input type="password" autoComplete="current-password" value={oldPassword} onChange={(e) => setOld(e.target.value)} required />
        </label>
        <label>
          {tr('新密码（至少 8 位）', 'New password (8 characters or more)')}
          <input type="password" autoComplete="new-password" minLength={8} value={newPassword} onChange={(e) => setNew(e.target.value)} required />
        </label>
        <button type="submit" className="primary">
          {tr('修改', 'Change')}
        </button>
      </form>
      {message && (
        <p className={message.ok ? undefined : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}

function SecondFactor() {
  const { tr } = useI18n();
  const [state, setState] = useState<'off' | 'pending' | 'on' | null>(null);
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<{ totp: 'off' | 'pending' | 'on' }>('/api/v1/me/second-factor').then((r) => setState(r.totp), (e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);
  const run = async (f: () => Promise<void>) => {
    setError(null);
    try {
      await f();
      load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const begin = () => run(async () => setEnrolment(await api<{ secret: string; otpauthUri: string }>('/api/v1/me/second-factor/totp', { body: {} })));
  const confirm = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api('/api/v1/me/second-factor/totp/confirm', { body: { code: code.trim() } });
      setEnrolment(null);
      setCode('');
    });
  };
  const disable = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api('/api/v1/me/second-factor/totp/disable', { body: { code: code.trim() } });
      setCode('');
    });
  };
  const codeField = (
    <label>
      {tr('动态验证码', 'One-time code')}
      <input inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} required />
    </label>
  );
  return (
    <section className="panel stack" data-testid="second-factor">
      <h2>{tr('双因素认证（TOTP）', 'Second factor (TOTP)')}</h2>
      <p>
        {state === 'on' ? tr('已启用：登录时需要动态验证码。', 'On: sign-in asks for a one-time code.') : tr('未启用。', 'Off.')}
      </p>
      {state !== 'on' && !enrolment && (
        <button type="button" onClick={() => void begin()}>
          {tr('开始登记', 'Set up')}
        </button>
      )}
      {enrolment && (
        <form className="stack" onSubmit={confirm}>
          <p>
            {tr('在身份验证器中添加此账号（密钥只显示这一次）：', 'Add this account to your authenticator app (the key is shown this once):')}
            <br />
            <code>{enrolment.secret}</code>
            <br />
            <a href={enrolment.otpauthUri}>{tr('在本机的验证器中打开', 'Open in an authenticator on this device')}</a>
          </p>
          {codeField}
          <button type="submit" className="primary">
            {tr('确认启用', 'Confirm')}
          </button>
        </form>
      )}
      {state === 'on' && (
        <form className="stack" onSubmit={disable}>
          {codeField}
          <button type="submit">{tr('停用', 'Turn off')}</button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

export function AccountSecurity() {
  const { session } = useSession();
  const user = session?.user;
  return (
    <div className="stack">
      <ApiTokens />
      <Password />
      {hasRole(user, 'admin', 'supervisor') && <SecondFactor />}
    </div>
  );
}
