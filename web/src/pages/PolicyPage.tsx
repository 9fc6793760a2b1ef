// Tenant administration (/admin/policy): what meetings of the organisation may do.
// The policy caps every meeting; the server enforces it, this page only edits it.
import { useState, type SubmitEvent } from 'react';
import type { DesktopSharing } from '../proto/DesktopSharing';
import type { Policy } from '../proto/Policy';
import { ErrorAlert, ErrorWithRetry } from '../components/Problem';
import { Spinner } from '../components/Spinner';
import { Toggle } from '../components/Toggle';
import { isAdmin } from '../lib/accounts';
import { api } from '../lib/api';
import { sessionStore } from '../lib/session';
import { showToast } from '../lib/toasts';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useResource } from '../lib/useResource';
import { useStore } from '../lib/useStore';

type Switch = { [K in keyof Policy]: Policy[K] extends boolean ? K : never }[keyof Policy];

/** `later`: the feature it governs has not shipped; it is settable ahead, marked as such. */
const switches: { key: Switch; label: string; hint: string; later?: boolean }[] = [
  { key: 'ip_audio', label: 'Audio', hint: 'Participants may talk over the computer.' },
  { key: 'ip_video', label: 'Video', hint: 'Participants may share their camera.' },
  { key: 'chat', label: 'Chat', hint: 'Instant messages in meetings.' },
  {
    key: 'participant_control',
    label: 'Remote control',
    hint: 'A sharer may give others control of their screen.',
    later: true,
  },
  {
    key: 'external_participant_control',
    label: 'Remote control by guests',
    hint: 'People without an account of this organisation may take control too.',
    later: true,
  },
  { key: 'annotations', label: 'Annotations', hint: 'Drawing on shared pages.' },
  { key: 'polls', label: 'Polls', hint: 'Presenters may run polls.', later: true },
  { key: 'qa', label: 'Q&A', hint: 'Attendees may ask questions.', later: true },
  { key: 'shared_notes', label: 'Shared notes', hint: 'Notes everyone may edit.', later: true },
  { key: 'file_transfer', label: 'Handouts', hint: 'Files exchanged in their own format.', later: true },
  { key: 'recording', label: 'Recording', hint: 'Meetings may be recorded.', later: true },
  { key: 'anonymous_participants', label: 'Guests', hint: 'People without an account may join through a link.' },
];

const sharingLevels: { value: DesktopSharing; label: string }[] = [
  { value: 'none', label: 'No screen sharing' },
  { value: 'single_application', label: 'One application' },
  { value: 'desktop', label: 'Whole desktop' },
];

export function PolicyPage() {
  useDocumentTitle('Policy');
  const me = useStore(sessionStore);
  const tenant = me?.tenant.id ?? '';
  const { resource, reload } = useResource(() => api.getPolicy(tenant), `policy-${tenant}`);

  if (!isAdmin(me?.user.role)) {
    return (
      <div className="page">
        <h1>Policy</h1>
        <div className="alert">
          Only administrators of {me?.tenant.name ?? 'your organisation'} can change its policy.
        </div>
      </div>
    );
  }
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Policy</h1>
          <p className="muted">
            What meetings of {me?.tenant.name} may do. Meetings that start after a change follow it.
          </p>
        </div>
      </div>
      {resource.status === 'loading' && <Spinner label="Loading the policy…" />}
      {resource.status === 'error' && <ErrorWithRetry error={resource.error} onRetry={reload} />}
      {resource.status === 'ready' && <PolicyForm tenant={tenant} initial={resource.data} />}
    </div>
  );
}

function PolicyForm({ tenant, initial }: { tenant: string; initial: Policy }) {
  const [policy, setPolicy] = useState(initial);
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof Policy>(key: K, value: Policy[K]) => setPolicy((p) => ({ ...p, [key]: value }));
  const toggles = (later: boolean) =>
    switches
      .filter((s) => (s.later ?? false) === later)
      .map((s) => (
        <Toggle
          key={s.key}
          id={`policy-${s.key}`}
          label={s.label}
          hint={s.hint}
          checked={policy[s.key]}
          onChange={(v) => set(s.key, v)}
        />
      ));

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setSaving(true);
    setError(undefined);
    api
      .setPolicy(tenant, policy)
      .then((saved) => {
        setPolicy(saved);
        showToast('Policy saved', 'success');
      })
      .catch(setError)
      .finally(() => setSaving(false));
  };

  return (
    <form className="card section stack" onSubmit={submit} aria-label="Conferencing policy">
      {error !== undefined && <ErrorAlert error={error} />}
      <fieldset className="stack">
        <legend>Features</legend>
        {toggles(false)}
      </fieldset>
      <details className="policy-later">
        <summary>Features not in meetings yet</summary>
        <p className="field-hint">Meetings do not offer these yet. What you set here applies as each one arrives.</p>
        <fieldset className="stack">
          <legend className="visually-hidden">Features not in meetings yet</legend>
          {toggles(true)}
          <div className="field">
            <label htmlFor="policy-desktop">Screen sharing</label>
            <select
              id="policy-desktop"
              value={policy.desktop_sharing}
              onChange={(e) => set('desktop_sharing', e.target.value as DesktopSharing)}
            >
              {sharingLevels.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
      </details>
      <div className="field">
        <label htmlFor="policy-size">Largest meeting</label>
        <input
          id="policy-size"
          type="number"
          min={2}
          max={1000}
          value={policy.max_meeting_size}
          onChange={(e) => set('max_meeting_size', Number(e.target.value))}
          aria-describedby="policy-size-hint"
        />
        <p id="policy-size-hint" className="field-hint">
          People in one meeting, presenters included. The next one to arrive is told the meeting is full.
        </p>
      </div>
      <div className="field">
        <label htmlFor="policy-bitrate">Video bitrate cap (kbit/s)</label>
        <input
          id="policy-bitrate"
          type="number"
          min={150}
          max={20000}
          value={policy.max_video_bitrate_kbps}
          onChange={(e) => set('max_video_bitrate_kbps', Number(e.target.value))}
          aria-describedby="policy-bitrate-hint"
        />
        <p id="policy-bitrate-hint" className="field-hint">
          Camera layers above this are neither sent nor forwarded (they use 150, 500 and 1500 kbit/s).
        </p>
      </div>
      <div className="field">
        <label htmlFor="policy-height">Maximum video resolution</label>
        <select
          id="policy-height"
          value={policy.max_video_height}
          onChange={(e) => set('max_video_height', Number(e.target.value))}
        >
          <option value={180}>180p</option>
          <option value={360}>360p</option>
          <option value={720}>720p (HD)</option>
        </select>
      </div>
      <div>
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save policy'}
        </button>
      </div>
    </form>
  );
}
