// Home: the organizer's upcoming meetings, "Meet now" and "Schedule meeting".
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { MeetingView } from '../proto/MeetingView';
import { Icon } from '../components/Icon';
import { MeetingCard } from '../components/MeetingCard';
import { ErrorWithRetry } from '../components/Problem';
import { Spinner } from '../components/Spinner';
import { api, problemText } from '../lib/api';
import { joinAsPresenter, presenterJoinPath } from '../lib/joinFlow';
import { sessionStore } from '../lib/session';
import { showToast } from '../lib/toasts';
import { useResource } from '../lib/useResource';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useStore } from '../lib/useStore';

const byStart = (a: MeetingView, b: MeetingView) => a.starts_at.localeCompare(b.starts_at);

export function HomePage() {
  const me = useStore(sessionStore);
  const navigate = useNavigate();
  const { resource, reload, replace } = useResource(() => api.listMeetings(), 'meetings');
  const [starting, setStarting] = useState(false);
  useDocumentTitle('Meetings');

  const meetNow = async () => {
    setStarting(true);
    try {
      const meeting = await api.meetNow({});
      try {
        void navigate(await joinAsPresenter(meeting));
      } catch {
        const fallback = presenterJoinPath(meeting);
        void navigate(fallback ?? `/meetings/${encodeURIComponent(meeting.id)}`);
      }
    } catch (e) {
      showToast(problemText(e), 'error');
      setStarting(false);
    }
  };

  const onChanged = (changed: MeetingView) => {
    if (resource.status === 'ready') replace(resource.data.map((m) => (m.id === changed.id ? changed : m)));
  };

  const firstName = me?.user.name.split(' ')[0];

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Meetings</h1>
          <p className="muted">{firstName ? `Welcome back, ${firstName}.` : 'Your meetings.'}</p>
        </div>
        <div className="page-header-actions">
          <Link className="btn" to="/meetings/new">
            <Icon name="calendar" />
            Schedule meeting
          </Link>
          <button type="button" className="btn btn-primary" onClick={() => void meetNow()} disabled={starting}>
            <Icon name="video" />
            {starting ? 'Starting…' : 'Meet now'}
          </button>
        </div>
      </div>

      {resource.status === 'loading' && <Spinner label="Loading meetings…" />}
      {resource.status === 'error' && <ErrorWithRetry error={resource.error} onRetry={reload} />}
      {resource.status === 'ready' && <MeetingLists meetings={resource.data} onChanged={onChanged} />}
    </div>
  );
}

function MeetingLists({ meetings, onChanged }: { meetings: MeetingView[]; onChanged: (m: MeetingView) => void }) {
  const upcoming = meetings.filter((m) => m.status === 'scheduled').sort(byStart);
  const past = meetings.filter((m) => m.status !== 'scheduled');

  return (
    <>
      <section aria-labelledby="upcoming-heading" className="section">
        <h2 id="upcoming-heading" className="section-title">
          Upcoming
        </h2>
        {upcoming.length === 0 ? (
          <div className="empty-state">
            <Icon name="calendar" size={32} />
            <h3>No upcoming meetings</h3>
            <p className="muted">Schedule one for later, or start a meeting right now and share its link.</p>
          </div>
        ) : (
          <ul className="meeting-list" aria-labelledby="upcoming-heading">
            {upcoming.map((m) => (
              <MeetingCard key={m.id} meeting={m} onChanged={onChanged} />
            ))}
          </ul>
        )}
      </section>
      {past.length > 0 && (
        <details className="section past">
          <summary>
            Past and cancelled <span className="muted">({past.length})</span>
          </summary>
          <ul className="meeting-list" aria-label="Past and cancelled meetings">
            {past.map((m) => (
              <MeetingCard key={m.id} meeting={m} onChanged={onChanged} />
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
