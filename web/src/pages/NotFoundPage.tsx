// Shown for any path the client does not know.
import { Link } from 'react-router';
import { Brand } from '../components/Brand';
import { useDocumentTitle } from '../lib/useDocumentTitle';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <main className="page-center">
      <div className="card card-narrow stack center-text">
        <Brand />
        <h1>Page not found</h1>
        <p className="muted">The address may be mistyped, or the page has moved.</p>
        <Link className="btn btn-primary" to="/">
          Go to your meetings
        </Link>
      </div>
    </main>
  );
}
