// Shows an error (usually a Problem from the API) as an inline alert.
import { errorMessage } from '../lib/api';

export function ErrorAlert({ error, className }: { error: unknown; className?: string }) {
  if (error === undefined || error === null) return null;
  const { title, detail } = errorMessage(error);
  return (
    <div className={className ? `alert alert-error ${className}` : 'alert alert-error'} role="alert">
      <strong>{title}</strong>
      {detail && <span> {detail}</span>}
    </div>
  );
}

/** A load that failed: what went wrong, and a way to try again. */
export function ErrorWithRetry({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div className="stack">
      <ErrorAlert error={error} />
      <div>
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      </div>
    </div>
  );
}
