// The keyboard shortcuts, listed (opened with "?" or from the More menu).
import { Dialog } from '../../components/Dialog';
import { shortcuts } from '../shortcuts';

export function HelpSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog
      open={open}
      title="Keyboard shortcuts"
      onClose={onClose}
      description="Anywhere in the room, outside text fields."
    >
      <dl className="shortcut-list">
        {shortcuts.map((s) => (
          <div key={s.key} className="shortcut">
            <dt>
              <kbd>{s.key === '?' ? '?' : s.key.toUpperCase()}</kbd>
            </dt>
            <dd>{s.label}</dd>
          </div>
        ))}
      </dl>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
