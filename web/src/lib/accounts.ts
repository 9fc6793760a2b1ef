// Account roles as people read them, and who may administer the organisation.
import type { AccountRole } from '../proto/AccountRole';

export const roleNames: Record<AccountRole, string> = {
  provider_admin: 'Provider admin',
  tenant_admin: 'Administrator',
  organizer: 'Organizer',
  member: 'Member',
};

export function isAdmin(role: AccountRole | undefined): boolean {
  return role === 'tenant_admin' || role === 'provider_admin';
}
