// Layout of the signed-in pages: top bar (brand, who is signed in, sign out) and content.
import { useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { isAdmin } from '../lib/accounts';
import { problemText } from '../lib/api';
import { sessionStore, signOut } from '../lib/session';
import { showToast } from '../lib/toasts';
import { useStore } from '../lib/useStore';
import { Brand } from './Brand';

export function AppShell() {
  const me = useStore(sessionStore);
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);

  const onSignOut = async () => {
    setBusy(true);
    try {
      await signOut();
      void navigate('/login', { replace: true });
    } catch (e) {
      showToast(problemText(e), 'error');
      setBusy(false);
    }
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-left">
          <Link to="/" className="brand-link" aria-label="Confab home">
            <Brand />
          </Link>
          <nav aria-label="Main" className="topnav">
            <NavLink to="/" end>
              Meetings
            </NavLink>
            {isAdmin(me?.user.role) && <NavLink to="/admin/users">People</NavLink>}
            {isAdmin(me?.user.role) && <NavLink to="/admin/policy">Policy</NavLink>}
          </nav>
        </div>
        {me && (
          <div className="topbar-user">
            <Link to="/account" className="who">
              <span className="visually-hidden">Your account: </span>
              <span className="who-name">{me.user.name}</span>
              <span className="who-org">{me.tenant.name}</span>
            </Link>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => void onSignOut()} disabled={busy}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
