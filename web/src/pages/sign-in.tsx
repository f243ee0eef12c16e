import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n.tsx';
import { useSession, homeOf } from '../session.tsx';
import { navigate } from '../router.tsx';
import { ApiError, errorText } from '../api.ts';

const DEMO_USERS = ['yuzhong.operator', 'city.operator', 'street.operator', 'yuzhong.water', 'gridworker', 'citizen.zhang', 'admin'];

export function SignIn() {
  const { tr } = useI18n();
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  // Shown once the server says the account has a second factor (AUTH_TOTP_REQUIRED).
  const [needsCode, setNeedsCode] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await signIn(username.trim(), password, needsCode ? code.trim() : undefined);
      const next = new URLSearchParams(location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homeOf(s.user), true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'AUTH_TOTP_REQUIRED' && !needsCode) {
        setNeedsCode(true);
        setError(tr('请输入身份验证器中的 6 位动态验证码', 'Enter the 6-digit code from your authenticator app'));
        return;
      }
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">{tr('登录', 'Sign in')}</h1>
        <label>
          {tr('用户名', 'User name')}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label>
          {tr('密码', 'Password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {needsCode && (
          <label>
            {tr('动态验证码', 'One-time code')}
            <input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
          </label>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? tr('登录中…', 'Signing in…') : tr('登录', 'Sign in')}
        </button>
        <details className="demo-users">
          {/* Account names and the password are what one types: shown as such, in <code>. */}
          <summary>
            {tr('演示账号（密码 ', 'Demo users (password ')}
            <code>cityloop-demo</code>
            {tr('）', ')')}
          </summary>
          <ul>
            {DEMO_USERS.map((u) => (
              <li key={u}>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setUsername(u);
                    setPassword('cityloop-demo');
                  }}
                >
                  <code>{u}</code>
                </button>
              </li>
            ))}
          </ul>
        </details>
      </form>
    </div>
  );
}
