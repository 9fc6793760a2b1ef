// Your account (/account): who you are, and changing your password (the first start
// says to change the generated one after signing in).
import { useState, type SubmitEvent } from 'react';
import { NewPasswordField, tooShort } from '../components/NewPasswordField';
import { ErrorAlert } from '../components/Problem';
import { roleNames } from '../lib/accounts';
import { ApiError, api } from '../lib/api';
import { sessionStore } from '../lib/session';
import { showToast } from '../lib/toasts';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useStore } from '../lib/useStore';

export function AccountPage() {
  useDocumentTitle('Your account');
  const me = useStore(sessionStore);
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Your account</h1>
          {me && (
            <p className="muted">
              {me.user.name} · {me.user.email} · {roleNames[me.user.role]} at {me.tenant.name}
            </p>
          )}
        </div>
      </div>
      <PasswordForm />
    </div>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const short = tooShort(next);
  const wrongCurrent = error instanceof ApiError && error.status === 401;

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (short) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.changePassword({ current, new: next });
      showToast('Password changed', 'success');
      setCurrent('');
      setNext('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card section stack card-form"
      aria-labelledby="password-heading"
      onSubmit={(e) => void onSubmit(e)}
    >
      <h2 id="password-heading" className="section-title">
        Change your password
      </h2>
      <div className={wrongCurrent ? 'field field-invalid' : 'field'}>
        <label htmlFor="password-current">Current password</label>
        <input
          id="password-current"
          type="password"
          required
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          aria-invalid={wrongCurrent || undefined}
        />
      </div>
      <NewPasswordField
        id="password-new"
        label="New password"
        value={next}
        onChange={setNext}
        hint="At least 10 characters."
        required
      />
      <ErrorAlert error={error} />
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
