// What is worth a notification when the room changes: a raised hand (for presenters),
// your own role or attendee permissions changing, the meeting being locked. Compared
// between two states, so a resync or a replay never announces anything twice. Lobby
// arrivals have their own path (`lobbyArrivals`), errors come from the client. Pure.
import type { AttendeePermissions } from '../proto/AttendeePermissions';
import { offeredPermissions } from './permissions';
import { rightsOf } from './rights';
import type { RoomState } from './roomState';

export type Notice = { kind: 'info' | 'success'; text: string };

function list(labels: string[]): string {
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1) ?? ''}`;
}

function permissionChanges(before: AttendeePermissions, after: AttendeePermissions): Notice[] {
  const on: string[] = [];
  const off: string[] = [];
  for (const { key, label } of offeredPermissions) {
    if (before[key] === after[key]) continue;
    (after[key] ? on : off).push(label.toLowerCase());
  }
  const out: Notice[] = [];
  if (on.length) out.push({ kind: 'success', text: `The presenters allowed you to ${list(on)}.` });
  if (off.length) out.push({ kind: 'info', text: `The presenters turned off: ${list(off)}.` });
  return out;
}

export function noticesBetween(before: RoomState, after: RoomState): Notice[] {
  if (before === after || before.meeting !== after.meeting) return [];
  const out: Notice[] = [];
  const wasPresenter = rightsOf(before).presenter;
  const presenter = rightsOf(after).presenter;
  if (wasPresenter !== presenter)
    out.push({ kind: 'info', text: presenter ? 'You are now a presenter.' : 'You are now an attendee.' });
  else if (!presenter && before.permissions !== after.permissions)
    out.push(...permissionChanges(before.permissions, after.permissions));
  if (presenter) {
    const raised = [...after.participants.values()].filter(
      (p) => p.hand_raised && p.id !== after.you.id && before.participants.get(p.id)?.hand_raised !== true,
    );
    if (raised.length === 1 && raised[0]) out.push({ kind: 'info', text: `${raised[0].name} raised their hand` });
    else if (raised.length > 1) out.push({ kind: 'info', text: `${raised.length} people raised their hands` });
  }
  if (before.locked !== after.locked)
    out.push({
      kind: 'info',
      text: after.locked ? 'The meeting is locked: nobody new can join.' : 'The meeting is unlocked.',
    });
  return out;
}
