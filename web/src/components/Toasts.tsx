// Renders the toast stack in a polite live region, bottom right.
import { dismissToast, toastStore } from '../lib/toasts';
import { useStore } from '../lib/useStore';
import { Icon } from './Icon';

export function Toasts() {
  const toasts = useStore(toastStore);
  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite" aria-relevant="additions">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : undefined}>
          <span className="toast-text">{t.text}</span>
          <button
            type="button"
            className="icon-btn icon-btn-sm"
            aria-label="Dismiss notification"
            onClick={() => dismissToast(t.id)}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </section>
  );
}
