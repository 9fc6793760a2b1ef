// Sign-in form: POST /auth/login, then back to where the visitor was going.
import { useState, type SubmitEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { Brand } from '../components/Brand';
import { ErrorAlert } from '../components/Problem';
import { signIn } from '../lib/session';
import { useDocumentTitle } from '../lib/useDocumentTitle';

/** Only same-site paths may be a post-login target (no open redirect). */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  useDocumentTitle('Sign in');

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn({ email: email.trim(), password });
      void navigate(safeNext(params.get('next')), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main className="page-center auth-page">
      <form className="card card-narrow stack" onSubmit={(e) => void onSubmit(e)} aria-labelledby="login-title">
        <Brand />
        <div>
          <h1 id="login-title">Sign in</h1>
          <p className="muted">Use the account your organisation gave you.</p>
        </div>
        <ErrorAlert error={error} />
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
