// Joining a meeting as its organizer from the meeting list ("Join", "Meet now"):
// exchange the presenter link for a join token and remember it for the room page.
import type { MeetingView } from '../proto/MeetingView';
import { api } from './api';
import { linkKey, saveJoin } from './joinTokens';

/** Join via the presenter link; resolves to the room path. Rejects with ApiError. */
export async function joinAsPresenter(meeting: MeetingView): Promise<string> {
  const key = linkKey(meeting.presenter_link);
  if (!key) throw new Error('This meeting has no presenter link you can use.');
  const joined = await api.join(key, meeting.passcode ? { passcode: meeting.passcode } : {});
  saveJoin(joined, key);
  return `/m/${encodeURIComponent(joined.meeting)}`;
}

/** The join page for a meeting's presenter link, as a fallback when joining directly fails. */
export function presenterJoinPath(meeting: MeetingView): string | undefined {
  const key = linkKey(meeting.presenter_link);
  return key ? `/j/${encodeURIComponent(key)}` : undefined;
}
