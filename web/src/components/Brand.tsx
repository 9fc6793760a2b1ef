// The Confab wordmark with its logo glyph.
export function Brand() {
  return (
    <span className="brand">
      <svg className="brand-mark" width="26" height="26" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path
          d="M9 11.5A2.5 2.5 0 0 1 11.5 9h9a2.5 2.5 0 0 1 2.5 2.5v6a2.5 2.5 0 0 1-2.5 2.5H15l-4.2 3.4c-.5.4-1.3 0-1.3-.6V20A2.5 2.5 0 0 1 9 17.5z"
          fill="#fff"
        />
      </svg>
      <span className="brand-name">Confab</span>
    </span>
  );
}
