// Schedule a meeting (/meetings/new) or edit one (/meetings/:id/edit).
import { useMemo, useState, type SubmitEvent, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { MeetingView } from '../proto/MeetingView';
import { EmailChips } from '../components/EmailChips';
import { ErrorAlert } from '../components/Problem';
import { Spinner } from '../components/Spinner';
import { Toggle } from '../components/Toggle';
import { ApiError, api, problemText } from '../lib/api';
import { formatOffset, zoneChoices, type ZoneChoice } from '../lib/format';
import {
  fieldFromWire,
  newMeetingValues,
  toMeetingInput,
  validateMeeting,
  valuesFromMeeting,
  type FieldErrors,
  type FieldName,
  type MeetingFormValues,
} from '../lib/meetingForm';
import { showToast } from '../lib/toasts';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useResource } from '../lib/useResource';

export function MeetingFormPage() {
  const { id } = useParams();
  if (!id) return <MeetingForm initial={newMeetingValues()} />;
  return <EditMeeting id={id} />;
}

function EditMeeting({ id }: { id: string }) {
  const { resource, reload } = useResource(() => api.getMeeting(id), id);
  if (resource.status === 'loading') return <Spinner label="Loading meeting…" />;
  if (resource.status === 'error') {
    return (
      <div className="page stack">
        <ErrorAlert error={resource.error} />
        <div>
          <button type="button" className="btn" onClick={reload}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  const meeting = resource.data;
  if (meeting.status !== 'scheduled') {
    return (
      <div className="page stack">
        <h1>Edit meeting</h1>
        <div className="alert">
          “{meeting.title}” has {meeting.status === 'cancelled' ? 'been cancelled' : 'ended'} and can no longer be
          changed.
        </div>
        <div>
          <Link className="btn" to={`/meetings/${encodeURIComponent(id)}`}>
            Back to the meeting
          </Link>
        </div>
      </div>
    );
  }
  return <MeetingForm key={meeting.id} initial={valuesFromMeeting(meeting)} existing={meeting} />;
}

type FormProps = { initial: MeetingFormValues; existing?: MeetingView };

function MeetingForm({ initial, existing }: FormProps) {
  const navigate = useNavigate();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const zones = useMemo(() => zoneChoices(initial.timeZone, new Date()), [initial.timeZone]);

  const set = <K extends FieldName>(key: K, value: MeetingFormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const found = validateMeeting(values);
    setErrors(found);
    setProblem(undefined);
    const firstBad = Object.keys(found)[0];
    if (firstBad) {
      document.getElementById(`meeting-${firstBad}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const input = toMeetingInput(values);
      const saved = existing ? await api.updateMeeting(existing.id, input) : await api.createMeeting(input);
      showToast(existing ? 'Meeting updated' : 'Meeting scheduled', 'success');
      void navigate(`/meetings/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      setBusy(false);
      const field = err instanceof ApiError ? fieldFromWire(err.field) : undefined;
      if (err instanceof ApiError && field) {
        setErrors({ [field]: err.fieldMessage ?? problemText(err) });
        document.getElementById(`meeting-${field}`)?.focus();
      } else {
        setProblem(err);
      }
    }
  };

  const title = existing ? 'Edit meeting' : 'Schedule a meeting';
  useDocumentTitle(title);
  const cancelTo = existing ? `/meetings/${encodeURIComponent(existing.id)}` : '/';

  return (
    <div className="page page-narrow">
      <div className="page-header">
        <h1>{title}</h1>
      </div>
      <form className="card form" onSubmit={(e) => void onSubmit(e)} noValidate aria-label={title}>
        <Field name="title" label="Title" error={errors.title}>
          {(a) => (
            <input
              {...a}
              type="text"
              required
              maxLength={200}
              value={values.title}
              onChange={(e) => set('title', e.target.value)}
            />
          )}
        </Field>
        <Field
          name="description"
          label="Description"
          hint="Optional. Included in the calendar invitation."
          error={errors.description}
        >
          {(a) => (
            <textarea {...a} rows={3} value={values.description} onChange={(e) => set('description', e.target.value)} />
          )}
        </Field>
        <div className="form-row">
          <Field name="start" label="Starts" error={errors.start}>
            {(a) => (
              <input
                {...a}
                type="datetime-local"
                required
                value={values.start}
                onChange={(e) => set('start', e.target.value)}
              />
            )}
          </Field>
          <Field name="end" label="Ends" error={errors.end}>
            {(a) => (
              <input
                {...a}
                type="datetime-local"
                required
                value={values.end}
                onChange={(e) => set('end', e.target.value)}
              />
            )}
          </Field>
        </div>
        <Field name="timeZone" label="Time zone" hint={zoneHint(zones, values.timeZone)} error={errors.timeZone}>
          {(a) => (
            <>
              <input
                {...a}
                type="text"
                list="time-zones"
                autoComplete="off"
                spellCheck={false}
                value={values.timeZone}
                onChange={(e) => set('timeZone', e.target.value)}
              />
              <datalist id="time-zones">
                {zones.map((z) => (
                  <option key={z.zone} value={z.zone} label={z.label} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field name="passcode" label="Passcode" hint="Optional. Everyone joining must type it." error={errors.passcode}>
          {(a) => (
            <input
              {...a}
              type="text"
              autoComplete="off"
              maxLength={64}
              value={values.passcode}
              onChange={(e) => set('passcode', e.target.value)}
            />
          )}
        </Field>
        <Field
          name="presenters"
          label="Presenters"
          hint="E-mail addresses of colleagues who join as presenters whichever link they use."
          error={errors.presenters}
        >
          {(a) => (
            <EmailChips
              id={a.id}
              describedBy={a['aria-describedby']}
              invalid={a['aria-invalid']}
              value={values.presenters}
              onChange={(next) => set('presenters', next)}
            />
          )}
        </Field>
        <fieldset className="options">
          <legend>Who gets in</legend>
          <Toggle
            id="meeting-lobby"
            label="Lobby"
            hint="Presenters admit people who join with the attendee link."
            checked={values.lobby}
            onChange={(v) => set('lobby', v)}
          />
          <Toggle
            id="meeting-allowGuests"
            label="Allow guests"
            hint="People without an account may join under a name they type."
            checked={values.allowGuests}
            onChange={(v) => set('allowGuests', v)}
          />
          <Toggle
            id="meeting-waitForPresenter"
            label="Attendees wait for a presenter"
            hint="Attendees who arrive early wait until a presenter joins."
            checked={values.waitForPresenter}
            onChange={(v) => set('waitForPresenter', v)}
          />
        </fieldset>
        <ErrorAlert error={problem} />
        <div className="form-actions">
          <Link className="btn" to={cancelTo}>
            Cancel
          </Link>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : existing ? 'Save changes' : 'Schedule meeting'}
          </button>
        </div>
      </form>
    </div>
  );
}

type ControlAttrs = {
  id: string;
  name: string;
  'aria-describedby': string | undefined;
  'aria-invalid': true | undefined;
};

/** Under the zone: its offset now, or how to pick one (type a city or an offset). */
function zoneHint(zones: readonly ZoneChoice[], zone: string): string {
  const found = zones.find((z) => z.zone === zone);
  return found
    ? `${formatOffset(found.offset)} now. Type a city or region to search.`
    : 'Type a city or region and choose from the list.';
}

function Field(props: {
  name: FieldName;
  label: string;
  hint?: string;
  error: string | undefined;
  children: (attrs: ControlAttrs) => ReactNode;
}) {
  const { name, label, hint, error, children } = props;
  const id = `meeting-${name}`;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {children({ id, name, 'aria-describedby': described || undefined, 'aria-invalid': error ? true : undefined })}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
