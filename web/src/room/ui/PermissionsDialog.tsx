// Presenters' dialog for what attendees may do: a checkbox per permission whose feature
// exists, saved together (the others keep their values).
import { useState, type SubmitEvent } from 'react';
import type { AttendeePermissions } from '../../proto/AttendeePermissions';
import { Dialog } from '../../components/Dialog';
import { offeredPermissions } from '../permissions';

type Props = {
  open: boolean;
  permissions: AttendeePermissions;
  onSave: (p: AttendeePermissions) => void;
  onClose: () => void;
};

export function PermissionsDialog({ open, permissions, onSave, onClose }: Props) {
  return (
    <Dialog
      open={open}
      title="Attendee permissions"
      description="Choose what attendees may do. Presenters can always do everything."
      onClose={onClose}
    >
      <PermissionsForm initial={permissions} onSave={onSave} onClose={onClose} />
    </Dialog>
  );
}

function PermissionsForm({
  initial,
  onSave,
  onClose,
}: {
  initial: AttendeePermissions;
  onSave: Props['onSave'];
  onClose: () => void;
}) {
  // Starts from the live values each time the dialog opens (the Dialog mounts us then).
  const [draft, setDraft] = useState(initial);
  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    onSave(draft);
  };
  return (
    <form onSubmit={onSubmit}>
      <fieldset className="permissions">
        <legend className="visually-hidden">Attendees may</legend>
        {offeredPermissions.map(({ key, label, hint }) => (
          <div className="check" key={key}>
            <input
              id={`perm-${key}`}
              type="checkbox"
              checked={draft[key]}
              onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.checked }))}
              aria-describedby={`perm-${key}-hint`}
            />
            <div>
              <label htmlFor={`perm-${key}`}>{label}</label>
              <p id={`perm-${key}-hint`} className="field-hint">
                {hint}
              </p>
            </div>
          </div>
        ))}
      </fieldset>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary">
          Save permissions
        </button>
      </div>
    </form>
  );
}
