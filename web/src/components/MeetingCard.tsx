// One meeting in the home list: when, status, and the organizer's actions.
import { useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { MeetingView } from '../proto/MeetingView';
import { api, downloads, problemText } from '../lib/api';
import { joinAsPresenter, presenterJoinPath } from '../lib/joinFlow';
import { showToast } from '../lib/toasts';
import { CopyButton } from './CopyButton';
import { ConfirmDialog } from './Dialog';
import { Icon } from './Icon';
import { MeetingBadges } from './MeetingBadges';
import { MeetingTime } from './MeetingTime';

type Props = { meeting: MeetingView; onChanged: (m: MeetingView) => void };

function dateParts(iso: string, zone: string) {
  const d = new Date(iso);
  const month = new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: zone }).format(d);
  const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', timeZone: zone }).format(d);
  return { month, day };
}

export function MeetingCard({ meeting, onChanged }: Props) {
  const titleId = useId();
  const navigate = useNavigate();
  const [joining, setJoining] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const scheduled = meeting.status === 'scheduled';
  let zone = meeting.time_zone;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
  } catch {
    zone = 'UTC';
  }
  const { month, day } = dateParts(meeting.starts_at, zone);

  const join = async () => {
    setJoining(true);
    try {
      void navigate(await joinAsPresenter(meeting));
    } catch (e) {
      setJoining(false);
      const fallback = presenterJoinPath(meeting);
      if (fallback) void navigate(fallback);
      else showToast(problemText(e), 'error');
    }
  };

  const cancel = async () => {
    setCancelling(true);
    try {
      onChanged(await api.cancelMeeting(meeting.id));
      showToast(`“${meeting.title}” was cancelled`, 'info');
      setConfirmCancel(false);
    } catch (e) {
      showToast(problemText(e), 'error');
    } finally {
      setCancelling(false);
    }
  };

  return (
    <li className={scheduled ? 'meeting-card' : 'meeting-card meeting-card-past'}>
      <article aria-labelledby={titleId}>
        <div className="meeting-card-date" aria-hidden="true">
          <span className="meeting-card-month">{month}</span>
          <span className="meeting-card-day">{day}</span>
        </div>
        <div className="meeting-card-main">
          <h3 id={titleId} className="meeting-card-title">
            <Link to={`/meetings/${encodeURIComponent(meeting.id)}`}>{meeting.title}</Link>
          </h3>
          <MeetingTime startsAt={meeting.starts_at} endsAt={meeting.ends_at} timeZone={meeting.time_zone} />
          <MeetingBadges meeting={meeting} />
          {scheduled && (
            <div className="meeting-card-actions">
              {meeting.attendee_link && (
                <CopyButton
                  text={meeting.attendee_link}
                  label="Copy attendee link"
                  what="Attendee link"
                  className="btn btn-ghost btn-sm"
                />
              )}
              <Link className="btn btn-ghost btn-sm" to={`/meetings/${encodeURIComponent(meeting.id)}/edit`}>
                <Icon name="edit" size={16} />
                Edit
              </Link>
              <a
                className="btn btn-ghost btn-sm"
                href={downloads.invite(meeting.id)}
                download
                aria-label="Download invite (.ics)"
              >
                <Icon name="calendar" size={16} />
                Invite (.ics)
              </a>
              <button
                type="button"
                className="btn btn-ghost btn-sm btn-ghost-danger"
                aria-label="Cancel meeting"
                onClick={() => setConfirmCancel(true)}
              >
                <Icon name="trash" size={16} />
                Cancel
              </button>
            </div>
          )}
        </div>
        {scheduled && meeting.presenter_link && (
          <div className="meeting-card-join">
            <button type="button" className="btn btn-primary" onClick={() => void join()} disabled={joining}>
              <Icon name="video" size={18} />
              {joining ? 'Joining…' : 'Join as presenter'}
            </button>
          </div>
        )}
      </article>
      <ConfirmDialog
        open={confirmCancel}
        title={`Cancel “${meeting.title}”?`}
        message="Its links stop working and anyone still in it is sent away. This cannot be undone."
        confirmLabel="Cancel meeting"
        cancelLabel="Keep meeting"
        danger
        busy={cancelling}
        onConfirm={() => void cancel()}
        onClose={() => setConfirmCancel(false)}
      />
    </li>
  );
}
