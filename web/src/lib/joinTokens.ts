// Join tokens, kept per browser tab (sessionStorage) so reloading /m/<meetingId> resumes.
// Key: `confab.join.<meetingId>`, value: the JoinResponse JSON as the server sent it.
import type { JoinResponse } from '../proto/JoinResponse';

const prefix = 'confab.join.';

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled by the browser
  }
}

export function saveJoin(join: JoinResponse): void {
  try {
    storage()?.setItem(prefix + join.meeting, JSON.stringify(join));
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

export function forgetJoin(meetingId: string): void {
  storage()?.removeItem(prefix + meetingId);
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
