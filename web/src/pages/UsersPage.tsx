// Tenant administration (/admin/users): the organisation's accounts, adding one, and
// editing one (name, role, a new password that signs them out).
// Shown to tenant and provider admins; the server enforces who may call it.
import { useState, type SubmitEvent } from 'react';
import type { AccountRole } from '../proto/AccountRole';
import type { UserView } from '../proto/UserView';
import { Dialog } from '../components/Dialog';
import { NewPasswordField, tooShort } from '../components/NewPasswordField';
import { ErrorAlert, ErrorWithRetry } from '../components/Problem';
import { Spinner } from '../components/Spinner';
import { isAdmin, roleNames } from '../lib/accounts';
import { ApiError, api } from '../lib/api';
import { formatDate } from '../lib/format';
import { sessionStore } from '../lib/session';
import { showToast } from '../lib/toasts';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useResource } from '../lib/useResource';
import { useStore } from '../lib/useStore';

export function UsersPage() {
  useDocumentTitle('People');
  const me = useStore(sessionStore);
  const { resource, reload, replace } = useResource(() => api.listUsers(), 'users');

  if (!isAdmin(me?.user.role)) {
    return (
      <div className="page">
        <h1>People</h1>
        <div className="alert">
          Only administrators of {me?.tenant.name ?? 'your organisation'} can manage accounts.
        </div>
      </div>
    );
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>People</h1>
          <p className="muted">Accounts of {me?.tenant.name}. Organizers may schedule meetings.</p>
        </div>
      </div>
      <div className="admin-grid">
        <section className="card section" aria-labelledby="users-heading">
          <h2 id="users-heading" className="section-title">
            Accounts
          </h2>
          {resource.status === 'loading' && <Spinner label="Loading accounts…" />}
          {resource.status === 'error' && <ErrorWithRetry error={resource.error} onRetry={reload} />}
          {resource.status === 'ready' && (
            <UserTable
              users={resource.data}
              me={me?.user.id}
              canMakeProviderAdmin={me?.user.role === 'provider_admin'}
              onChanged={(u) => {
                replace(resource.data.map((x) => (x.id === u.id ? u : x)));
              }}
            />
          )}
        </section>
        <NewUserForm
          canMakeProviderAdmin={me?.user.role === 'provider_admin'}
          onCreated={(u) => {
            if (resource.status === 'ready') replace([...resource.data, u]);
            else reload();
          }}
        />
      </div>
    </div>
  );
}

type TableProps = {
  users: UserView[];
  me: string | undefined;
  canMakeProviderAdmin: boolean;
  onChanged: (u: UserView) => void;
};

function UserTable({ users, me, canMakeProviderAdmin, onChanged }: TableProps) {
  const [editing, setEditing] = useState<UserView | null>(null);
  if (users.length === 0) return <p className="muted">No accounts yet.</p>;
  const sorted = [...users].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td className="muted">{u.email}</td>
              <td>{roleNames[u.role]}</td>
              <td className="muted">{formatDate(u.created_at)}</td>
              <td>
                <button
                  type="button"
                  className="btn btn-sm btn-ghost"
                  aria-label={`Edit ${u.name}`}
                  disabled={u.role === 'provider_admin' && !canMakeProviderAdmin}
                  onClick={() => setEditing(u)}
                >
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Dialog open={editing !== null} title={`Edit ${editing?.name ?? ''}`} onClose={() => setEditing(null)}>
        {editing && (
          <EditUserForm
            user={editing}
            self={editing.id === me}
            canMakeProviderAdmin={canMakeProviderAdmin}
            onDone={(u) => {
              onChanged(u);
              setEditing(null);
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </Dialog>
    </>
  );
}

/** Rename, change the role, or set a new password (which signs them out everywhere). */
function EditUserForm(props: {
  user: UserView;
  self: boolean;
  canMakeProviderAdmin: boolean;
  onDone: (u: UserView) => void;
  onCancel: () => void;
}) {
  const { user, self, canMakeProviderAdmin } = props;
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<AccountRole>(user.role);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const shortPassword = tooShort(password);
  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (shortPassword) return;
    setBusy(true);
    setError(undefined);
    try {
      const updated = await api.updateUser(user.id, {
        name: name.trim(),
        ...(role !== user.role ? { role } : {}),
        ...(password ? { password } : {}),
      });
      showToast(password ? `${updated.name} has a new password and was signed out` : 'Account saved', 'success');
      props.onDone(updated);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void onSubmit(e)}>
      <div className="field">
        <label htmlFor="edit-name">Name</label>
        <input id="edit-name" type="text" required value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="edit-role">Role</label>
        <select
          id="edit-role"
          value={role}
          disabled={self}
          aria-describedby={self ? 'edit-role-hint' : undefined}
          onChange={(e) => setRole(e.target.value as AccountRole)}
        >
          {roleChoices(canMakeProviderAdmin).map((r) => (
            <option key={r} value={r}>
              {roleNames[r]}
            </option>
          ))}
        </select>
        {self && (
          <p id="edit-role-hint" className="field-hint">
            Another administrator can change your role.
          </p>
        )}
      </div>
      <NewPasswordField
        id="edit-password"
        label="New password"
        value={password}
        onChange={setPassword}
        hint="Leave empty to keep it. A new one (at least 10 characters) signs them out everywhere."
      />
      <ErrorAlert error={error} />
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

function roleChoices(canMakeProviderAdmin: boolean): AccountRole[] {
  return canMakeProviderAdmin
    ? ['member', 'organizer', 'tenant_admin', 'provider_admin']
    : ['member', 'organizer', 'tenant_admin'];
}

type Draft = { name: string; email: string; role: AccountRole; password: string };
const emptyDraft: Draft = { name: '', email: '', role: 'organizer', password: '' };

function NewUserForm({
  canMakeProviderAdmin,
  onCreated,
}: {
  canMakeProviderAdmin: boolean;
  onCreated: (u: UserView) => void;
}) {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const roles = roleChoices(canMakeProviderAdmin);
  const fieldError = error instanceof ApiError ? error.field : undefined;
  const shortPassword = tooShort(draft.password);

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (shortPassword) return;
    setBusy(true);
    setError(undefined);
    try {
      const user = await api.createUser({ ...draft, name: draft.name.trim(), email: draft.email.trim() });
      onCreated(user);
      showToast(`Account for ${user.name} created`, 'success');
      setDraft(emptyDraft);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <form className="card section" aria-labelledby="new-user-heading" onSubmit={(e) => void onSubmit(e)}>
      <h2 id="new-user-heading" className="section-title">
        Add an account
      </h2>
      <div className="field">
        <label htmlFor="user-name">Name</label>
        <input
          id="user-name"
          type="text"
          required
          value={draft.name}
          onChange={(e) => set({ name: e.target.value })}
          aria-invalid={fieldError === 'name' ? true : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor="user-email">E-mail</label>
        <input
          id="user-email"
          type="email"
          required
          autoComplete="off"
          value={draft.email}
          onChange={(e) => set({ email: e.target.value })}
          aria-invalid={fieldError === 'email' ? true : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor="user-role">Role</label>
        <select id="user-role" value={draft.role} onChange={(e) => set({ role: e.target.value as AccountRole })}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleNames[r]}
            </option>
          ))}
        </select>
      </div>
      <NewPasswordField
        id="user-password"
        label="Initial password"
        value={draft.password}
        onChange={(password) => set({ password })}
        hint="At least 10 characters. Share it with them privately."
        required
        invalid={fieldError === 'password'}
      />
      <ErrorAlert error={error} />
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add account'}
        </button>
      </div>
    </form>
  );
}
