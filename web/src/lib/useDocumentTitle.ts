// Sets the browser tab's title for a page (screen readers announce it on navigation).
import { useEffect } from 'react';

export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Confab` : 'Confab';
  }, [title]);
}
