// Join tokens, kept per browser tab (sessionStorage) so reloading /m/<meetingId> resumes.
// Key: `confab.join.<meetingId>`, value: the JoinResponse JSON as the server sent it.
import type { JoinResponse } from '../proto/JoinResponse';

const prefix = 'confab.join.';
const linkPrefix = 'confab.link.';

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled by the browser
  }
}

/** Remember a join token, and the link it came from (to offer "Rejoin" later). */
export function saveJoin(join: JoinResponse, key?: string): void {
  try {
    storage()?.setItem(prefix + join.meeting, JSON.stringify(join));
    if (key) storage()?.setItem(linkPrefix + join.meeting, key);
  } catch {
    // Quota or privacy mode: the tab still works, a reload just cannot resume.
  }
}

export function loadJoin(meetingId: string): JoinResponse | undefined {
  const raw = storage()?.getItem(prefix + meetingId);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<JoinResponse>;
    if (typeof parsed.token !== 'string' || parsed.meeting !== meetingId) return undefined;
    return parsed as JoinResponse;
  } catch {
    return undefined;
  }
}

/** Drop the token (it can no longer be used); the link key stays for "Rejoin". */
export function forgetJoin(meetingId: string): void {
  storage()?.removeItem(prefix + meetingId);
}

/** The join-link key this tab last used for a meeting, if any. */
export function lastLinkKey(meetingId: string): string | undefined {
  return storage()?.getItem(linkPrefix + meetingId) ?? undefined;
}

/** The link key in a join link such as `https://host/j/AbC123`, or undefined. */
export function linkKey(link: string | undefined): string | undefined {
  if (!link) return undefined;
  let path = link;
  try {
    path = new URL(link, 'http://localhost').pathname;
  } catch {
    // keep the raw string
  }
  const m = /\/j\/([^/?#]+)/.exec(path);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}
