// Gate for pages that need a signed-in account: loads the session once, sends
// signed-out visitors to /login with a way back.
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ensureSession, sessionStore } from '../lib/session';
import { useStore } from '../lib/useStore';
import { ErrorAlert } from './Problem';
import { Spinner } from './Spinner';

export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useStore(sessionStore);
  const location = useLocation();
  const [error, setError] = useState<unknown>(undefined);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (me !== undefined) return;
    ensureSession().then(
      () => {
        setError(undefined);
      },
      (e: unknown) => {
        setError(e);
      },
    );
  }, [me, attempt]);

  if (me === null) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me === undefined) {
    return (
      <main className="page-center">
        {error !== undefined ? (
          <div className="card card-narrow stack">
            <ErrorAlert error={error} />
            <button type="button" className="btn btn-primary" onClick={() => setAttempt((a) => a + 1)}>
              Try again
            </button>
          </div>
        ) : (
          <Spinner />
        )}
      </main>
    );
  }
  return children;
}
