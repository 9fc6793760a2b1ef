// The room's top bar: title, lock state, head count, the invite link, and (presenters,
// on a wide screen) End meeting. Leaving is in the bottom bar.
import { useEffect, useState } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { Icon } from '../../components/Icon';
import { Popover } from '../../components/Popover';
import { api } from '../../lib/api';
import { lastLinkKey } from '../../lib/joinTokens';
import type { RoomState } from '../roomState';

type Props = { room: RoomState; isPresenter: boolean; compact: boolean; onEnd: () => void };

export function RoomHeader({ room, isPresenter, compact, onEnd }: Props) {
  const count = room.participants.size;
  return (
    <header className="room-header">
      <div className="room-title">
        <span className="brand-dot" aria-hidden="true" />
        <h1>{room.title}</h1>
        {room.locked && (
          <span className="badge badge-warning" title="Nobody new can join">
            <Icon name="lock" size={14} />
            Locked
          </span>
        )}
        <span className="room-count" aria-label={`${count} ${count === 1 ? 'participant' : 'participants'}`}>
          <Icon name="users" size={16} />
          {count}
        </span>
      </div>
      <div className="room-header-actions">
        <Popover
          label="Invite people"
          buttonClass="btn btn-sm"
          side="below"
          align="end"
          button={
            <>
              <Icon name="link" size={16} />
              <span className={compact ? 'visually-hidden' : undefined}>Invite</span>
            </>
          }
        >
          <InviteLinks room={room} />
        </Popover>
        {isPresenter && !compact && (
          <button type="button" className="btn btn-sm btn-danger-outline" onClick={onEnd}>
            End meeting
          </button>
        )}
      </div>
    </header>
  );
}

type Link = { label: string; url: string; hint: string };

/**
 * The links to hand out: the organizer's own (read from the meeting, needs their
 * session), otherwise the link this tab joined with, said for what role it is.
 */
function InviteLinks({ room }: { room: RoomState }) {
  const [links, setLinks] = useState<Link[] | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const own = (): Link[] => {
      const key = lastLinkKey(room.meeting);
      if (!key) return [];
      const presenter = room.you.role !== 'attendee';
      return [
        {
          label: presenter ? 'Presenter link' : 'Meeting link',
          url: `${location.origin}/j/${encodeURIComponent(key)}`,
          hint: presenter ? 'The link you joined with: it lets people present.' : 'Anyone with it can ask to join.',
        },
      ];
    };
    const load = async (): Promise<Link[]> => {
      if (!(await api.me())) return own();
      const m = await api.getMeeting(room.meeting);
      const out: Link[] = [];
      if (m.attendee_link)
        out.push({ label: 'Attendee link', url: m.attendee_link, hint: 'For most people: they join as attendees.' });
      if (m.presenter_link)
        out.push({ label: 'Presenter link', url: m.presenter_link, hint: 'Only for people who will present.' });
      return out.length ? out : own();
    };
    load().then(
      (l) => live && setLinks(l),
      () => live && setLinks(own()),
    );
    return () => {
      live = false;
    };
  }, [room.meeting, room.you.role]);
  if (!links) return <p className="muted small">Finding the link…</p>;
  if (links.length === 0) return <p className="muted small">Ask the organizer for the meeting link.</p>;
  return (
    <div className="invite stack-sm">
      {links.map((l) => (
        <div key={l.label} className="field">
          <label htmlFor={`invite-${l.label}`}>{l.label}</label>
          <div className="row">
            <input id={`invite-${l.label}`} type="text" readOnly value={l.url} onFocus={(e) => e.target.select()} />
            <CopyButton text={l.url} label={`Copy ${l.label.toLowerCase()}`} what={l.label} compact />
          </div>
          <p className="field-hint">{l.hint}</p>
        </div>
      ))}
    </div>
  );
}
