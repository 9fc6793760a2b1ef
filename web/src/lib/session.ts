// Who is signed in: a Store of the current account, loaded lazily from GET /api/v1/me.
// `undefined` means "not known yet", `null` means "signed out".
import type { Me } from '../proto/Me';
import type { LoginRequest } from '../proto/LoginRequest';
import { api } from './api';
import { Store } from './store';

export const sessionStore = new Store<Me | null | undefined>(undefined);

let loading: Promise<Me | null> | undefined;

/** Load the account once (again after `invalidate`); errors leave the state unknown. */
export function ensureSession(): Promise<Me | null> {
  loading ??= api.me().then(
    (me) => {
      sessionStore.set(me);
      return me;
    },
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

export async function signIn(req: LoginRequest): Promise<Me> {
  const me = await api.login(req);
  loading = Promise.resolve(me);
  sessionStore.set(me);
  return me;
}

export async function signOut(): Promise<void> {
  await api.logout();
  loading = Promise.resolve(null);
  sessionStore.set(null);
}

/** Call after a 401 from any request: the session has expired. */
export function sessionExpired(): void {
  loading = Promise.resolve(null);
  sessionStore.set(null);
}

// Any 401 on a signed-in page sends the user to sign in again (RequireAuth redirects).
api.onUnauthorized = () => {
  if (sessionStore.get()) sessionExpired();
};
