// The join page (/j/:key): what the link leads to, then name/passcode and "Join meeting".
// On success the join token is kept in this tab and the room opens at /m/:meetingId.
import { useEffect, useState, type SubmitEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { LinkInfo } from '../proto/LinkInfo';
import { Brand } from '../components/Brand';
import { Icon } from '../components/Icon';
import { ErrorAlert, ErrorWithRetry } from '../components/Problem';
import { Spinner } from '../components/Spinner';
import { ApiError, api, problemText, problemTypes } from '../lib/api';
import { differsLocally, formatTime, formatWhen } from '../lib/format';
import { saveJoin } from '../lib/joinTokens';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useResource } from '../lib/useResource';
import { DevicePreview, listenOnly, saveMediaChoice, type MediaChoice } from '../room/devicePreview';
import { PreJoin } from '../room/ui/PreJoin';

const nameKey = 'confab.displayName';

function rememberedName(): string {
  try {
    return localStorage.getItem(nameKey) ?? '';
  } catch {
    return '';
  }
}

export function JoinPage() {
  const { key = '' } = useParams();
  const { resource, reload } = useResource(() => api.linkInfo(key), key);
  useDocumentTitle(resource.status === 'ready' ? `Join ${resource.data.title}` : 'Join a meeting');

  return (
    <main className="page-center join-page">
      <div className="card card-join stack">
        <Brand />
        {resource.status === 'loading' && <Spinner label="Opening the invitation…" />}
        {resource.status === 'error' && <LinkProblem error={resource.error} onRetry={reload} />}
        {resource.status === 'ready' && <JoinForm linkKey={key} info={resource.data} />}
      </div>
    </main>
  );
}

function LinkProblem({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  if (status === 404 || status === 410) {
    const { title, detail } =
      error instanceof ApiError ? error.problem : { title: 'This link does not work', detail: undefined };
    return (
      <div className="stack">
        <h1>{title}</h1>
        <p className="muted">
          {detail ??
            (status === 404
              ? 'The link may be mistyped, or the organizer replaced it with a new one. Ask them for the current link.'
              : 'This meeting is over or was cancelled.')}
        </p>
      </div>
    );
  }
  return (
    <div className="stack">
      <h1>Could not open the invitation</h1>
      <ErrorWithRetry error={error} onRetry={onRetry} />
    </div>
  );
}

function JoinForm({ linkKey, info }: { linkKey: string; info: LinkInfo }) {
  const navigate = useNavigate();
  const [name, setName] = useState(rememberedName);
  const [passcode, setPasscode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [passcodeError, setPasscodeError] = useState<string | undefined>(undefined);
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const [preview] = useState(() => new DevicePreview());
  const [media, setMedia] = useState<MediaChoice>(listenOnly);
  useEffect(() => () => preview.stop(), [preview]);

  const signedIn = info.signed_in_as !== undefined;
  const canJoin = signedIn || (info.allow_guests && !needsSignIn);
  let zone = info.time_zone;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
  } catch {
    zone = 'UTC';
  }

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(undefined);
    setPasscodeError(undefined);
    setNameError(undefined);
    if (!signedIn && name.trim() === '') {
      setNameError('Type the name others will see.');
      document.getElementById('join-name')?.focus();
      return;
    }
    setBusy(true);
    try {
      const joined = await api.join(linkKey, {
        ...(signedIn ? {} : { display_name: name.trim() }),
        // Organizers need no passcode, so an empty one is left for the server to judge.
        ...(info.needs_passcode && passcode.trim() !== '' ? { passcode: passcode.trim() } : {}),
      });
      if (!signedIn) {
        try {
          localStorage.setItem(nameKey, name.trim());
        } catch {
          // not remembering the name is fine
        }
      }
      saveJoin(joined, linkKey);
      // Only what the check showed working: a switch left on after a failure joins listening.
      const working = preview.store.get().phase === 'on';
      saveMediaChoice(joined.meeting, working ? media : listenOnly);
      preview.stop();
      void navigate(`/m/${encodeURIComponent(joined.meeting)}`);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.is(problemTypes.wrongPasscode)) {
        setPasscodeError(problemText(err));
        document.getElementById('join-passcode')?.focus();
      } else if (err instanceof ApiError && err.field === 'display_name') {
        setNameError(err.fieldMessage);
        document.getElementById('join-name')?.focus();
      } else if (err instanceof ApiError && err.is(problemTypes.signInRequired)) {
        setNeedsSignIn(true);
      } else {
        setError(err);
      }
    }
  };

  return (
    <form className="stack" onSubmit={(e) => void onSubmit(e)} aria-labelledby="join-title" noValidate>
      <div>
        <p className="eyebrow">{info.role === 'attendee' ? 'You are invited to' : 'You are invited to present at'}</p>
        <h1 id="join-title">{info.title}</h1>
        <p className="muted">Organized by {info.organizer_name}</p>
        <p className="join-when">
          <Icon name="calendar" size={16} />
          <span>
            {formatWhen(info.starts_at, zone)} <span className="muted">({zone.replace(/_/g, ' ')})</span>
            {differsLocally(info.starts_at, zone) && (
              <span className="muted"> · your time {formatTime(info.starts_at)}</span>
            )}
          </span>
        </p>
      </div>

      {signedIn ? (
        <p className="joining-as">
          Joining as <strong>{info.signed_in_as}</strong>
        </p>
      ) : canJoin ? (
        <div className={nameError ? 'field field-invalid' : 'field'}>
          <label htmlFor="join-name">Your name</label>
          <input
            id="join-name"
            type="text"
            autoComplete="name"
            maxLength={80}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'join-name-error' : undefined}
            autoFocus
          />
          {nameError && (
            <p id="join-name-error" className="field-error">
              {nameError}
            </p>
          )}
        </div>
      ) : (
        <div className="alert">
          This meeting is for people with an account.{' '}
          <Link to={`/login?next=${encodeURIComponent(`/j/${linkKey}`)}`}>Sign in to join</Link>
        </div>
      )}

      {canJoin && info.needs_passcode && (
        <div className={passcodeError ? 'field field-invalid' : 'field'}>
          <label htmlFor="join-passcode">Passcode</label>
          <input
            id="join-passcode"
            type="password"
            autoComplete="off"
            required
            value={passcode}
            onChange={(e) => setPasscode(e.target.value)}
            aria-invalid={passcodeError ? true : undefined}
            aria-describedby={passcodeError ? 'join-passcode-error' : undefined}
            autoFocus={signedIn}
          />
          {passcodeError && (
            <p id="join-passcode-error" className="field-error">
              {passcodeError}
            </p>
          )}
        </div>
      )}

      {canJoin && <PreJoin preview={preview} choice={media} onChoice={setMedia} />}

      <ErrorAlert error={error} />

      {canJoin && (
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Joining…' : 'Join meeting'}
        </button>
      )}
      {!signedIn && canJoin && (
        <p className="muted small center-text">
          Have an account? <Link to={`/login?next=${encodeURIComponent(`/j/${linkKey}`)}`}>Sign in</Link>
        </p>
      )}
    </form>
  );
}
