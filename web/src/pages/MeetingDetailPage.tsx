// One meeting for its organizer (/meetings/:id): when, settings, join links with copy
// buttons, and the organizer's actions (join, edit, rotate links, invite, chat export, cancel).
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { MeetingView } from '../proto/MeetingView';
import { CopyButton } from '../components/CopyButton';
import { ConfirmDialog } from '../components/Dialog';
import { Icon } from '../components/Icon';
import { MeetingBadges } from '../components/MeetingBadges';
import { MeetingTime } from '../components/MeetingTime';
import { ErrorAlert } from '../components/Problem';
import { Spinner } from '../components/Spinner';
import { api, downloads, problemText } from '../lib/api';
import { joinAsPresenter, presenterJoinPath } from '../lib/joinFlow';
import { showToast } from '../lib/toasts';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useResource } from '../lib/useResource';

export function MeetingDetailPage() {
  const { id = '' } = useParams();
  const { resource, reload, replace } = useResource(() => api.getMeeting(id), id);
  useDocumentTitle(resource.status === 'ready' ? resource.data.title : 'Meeting');

  if (resource.status === 'loading') return <Spinner label="Loading meeting…" />;
  if (resource.status === 'error') {
    return (
      <div className="page stack">
        <ErrorAlert error={resource.error} />
        <div className="row">
          <button type="button" className="btn" onClick={reload}>
            Try again
          </button>
          <Link className="btn btn-ghost" to="/">
            Back to meetings
          </Link>
        </div>
      </div>
    );
  }
  return <MeetingDetail meeting={resource.data} onChanged={replace} />;
}

type Pending = 'rotate' | 'cancel' | null;

function MeetingDetail({ meeting, onChanged }: { meeting: MeetingView; onChanged: (m: MeetingView) => void }) {
  const navigate = useNavigate();
  const [confirm, setConfirm] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [joining, setJoining] = useState(false);
  const scheduled = meeting.status === 'scheduled';

  const act = async (what: 'rotate' | 'cancel') => {
    setBusy(true);
    try {
      const next = what === 'rotate' ? await api.rotateLinks(meeting.id) : await api.cancelMeeting(meeting.id);
      onChanged(next);
      showToast(what === 'rotate' ? 'New links created; the old ones no longer work' : 'Meeting cancelled', 'info');
      setConfirm(null);
    } catch (e) {
      showToast(problemText(e), 'error');
    } finally {
      setBusy(false);
    }
  };

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

  return (
    <div className="page page-narrow">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/">Meetings</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{meeting.title}</span>
      </nav>
      <div className="page-header">
        <div>
          <h1>{meeting.title}</h1>
          <MeetingTime startsAt={meeting.starts_at} endsAt={meeting.ends_at} timeZone={meeting.time_zone} />
          <MeetingBadges meeting={meeting} />
        </div>
        {scheduled && (
          <div className="page-header-actions">
            <Link className="btn" to={`/meetings/${encodeURIComponent(meeting.id)}/edit`}>
              <Icon name="edit" />
              Edit
            </Link>
            {meeting.presenter_link && (
              <button type="button" className="btn btn-primary" onClick={() => void join()} disabled={joining}>
                <Icon name="video" />
                {joining ? 'Joining…' : 'Join as presenter'}
              </button>
            )}
          </div>
        )}
      </div>

      {meeting.description && (
        <section className="card section" aria-labelledby="about-heading">
          <h2 id="about-heading" className="section-title">
            About
          </h2>
          <p className="prewrap">{meeting.description}</p>
        </section>
      )}

      {scheduled && (meeting.presenter_link ?? meeting.attendee_link) && (
        <section className="card section" aria-labelledby="links-heading">
          <div className="section-head">
            <h2 id="links-heading" className="section-title">
              Join links
            </h2>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirm('rotate')}>
              <Icon name="refresh" size={16} />
              Rotate links
            </button>
          </div>
          {meeting.attendee_link && (
            <LinkRow label="Attendee link" hint="Send this to everyone you invite." link={meeting.attendee_link} />
          )}
          {meeting.presenter_link && (
            <LinkRow label="Presenter link" hint="Only for people who will present." link={meeting.presenter_link} />
          )}
          {meeting.passcode && (
            <p className="muted">
              Passcode: <strong className="mono">{meeting.passcode}</strong>
            </p>
          )}
        </section>
      )}

      <section className="card section" aria-labelledby="settings-heading">
        <h2 id="settings-heading" className="section-title">
          Settings
        </h2>
        <dl className="facts">
          <dt>Organizer</dt>
          <dd>
            {meeting.organizer.name} <span className="muted">({meeting.organizer.email})</span>
          </dd>
          <dt>Presenters</dt>
          <dd>
            {meeting.presenters.length ? (
              meeting.presenters.join(', ')
            ) : (
              <span className="muted">Only the organizer</span>
            )}
          </dd>
          <dt>Lobby</dt>
          <dd>{meeting.lobby ? 'On: presenters admit attendees' : 'Off: attendees come straight in'}</dd>
          <dt>Guests</dt>
          <dd>{meeting.allow_guests ? 'Allowed' : 'Only people with an account'}</dd>
          <dt>Early attendees</dt>
          <dd>{meeting.wait_for_presenter ? 'Wait until a presenter joins' : 'May start without a presenter'}</dd>
          <dt>Passcode</dt>
          <dd>{meeting.passcode ? 'Required' : 'None'}</dd>
        </dl>
      </section>

      <section className="card section" aria-labelledby="files-heading">
        <h2 id="files-heading" className="section-title">
          Downloads
        </h2>
        <div className="row wrap">
          <a className="btn" href={downloads.invite(meeting.id)} download>
            <Icon name="calendar" />
            Download invite (.ics)
          </a>
          <a className="btn" href={downloads.chat(meeting.id, 'text')} download>
            <Icon name="download" />
            Export chat (text)
          </a>
          <a className="btn" href={downloads.chat(meeting.id, 'json')} download>
            <Icon name="download" />
            Export chat (JSON)
          </a>
        </div>
      </section>

      {scheduled && (
        <section className="section danger-zone" aria-labelledby="danger-heading">
          <h2 id="danger-heading" className="section-title">
            Cancel this meeting
          </h2>
          <p className="muted">The links stop working and anyone in the meeting is sent away.</p>
          <button type="button" className="btn btn-danger" onClick={() => setConfirm('cancel')}>
            Cancel meeting
          </button>
        </section>
      )}

      <ConfirmDialog
        open={confirm === 'rotate'}
        title="Create new join links?"
        message="The current presenter and attendee links stop working at once. You will need to send the new ones."
        confirmLabel="Rotate links"
        busy={busy}
        onConfirm={() => void act('rotate')}
        onClose={() => setConfirm(null)}
      />
      <ConfirmDialog
        open={confirm === 'cancel'}
        title={`Cancel “${meeting.title}”?`}
        message="Its links stop working and anyone still in it is sent away. This cannot be undone."
        confirmLabel="Cancel meeting"
        cancelLabel="Keep meeting"
        danger
        busy={busy}
        onConfirm={() => void act('cancel')}
        onClose={() => setConfirm(null)}
      />
    </div>
  );
}

function LinkRow({ label, hint, link }: { label: string; hint: string; link: string }) {
  const id = `link-${label.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <div className="link-row">
      <label htmlFor={id}>{label}</label>
      <p className="field-hint">{hint}</p>
      <div className="link-row-control">
        <input id={id} type="text" readOnly value={link} onFocus={(e) => e.currentTarget.select()} className="mono" />
        <CopyButton text={link} label={`Copy ${label.toLowerCase()}`} what={label} />
      </div>
    </div>
  );
}
