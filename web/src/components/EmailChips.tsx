// An input for a list of e-mail addresses shown as removable chips. Enter, comma,
// space or leaving the field turns the typed text into chips; pasting a list works;
// Backspace in the empty field removes the last chip.
import { useState, type KeyboardEvent } from 'react';

type Props = {
  id: string;
  value: readonly string[];
  onChange: (next: string[]) => void;
  describedBy?: string;
  invalid?: boolean;
};

export function splitEmails(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function EmailChips({ id, value, onChange, describedBy, invalid }: Props) {
  const [draft, setDraft] = useState('');

  const commit = (text: string) => {
    const added = splitEmails(text).filter((e) => !value.some((v) => v.toLowerCase() === e.toLowerCase()));
    if (added.length) onChange([...value, ...added]);
    setDraft('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if ((e.key === 'Enter' || e.key === ',' || e.key === ' ') && draft.trim() !== '') {
      e.preventDefault();
      commit(draft);
    } else if (e.key === 'Enter') {
      e.preventDefault(); // do not submit the form from here
    } else if (e.key === 'Backspace' && draft === '' && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  };

  return (
    <div className={invalid ? 'chips chips-invalid' : 'chips'}>
      {value.length > 0 && (
        <ul className="chip-list" aria-label="Presenters added">
          {value.map((email) => (
            <li key={email} className="chip">
              <span>{email}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${email}`}
                onClick={() => onChange(value.filter((v) => v !== email))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={id}
        type="text"
        inputMode="email"
        autoComplete="off"
        value={draft}
        placeholder={value.length ? 'Add another…' : 'name@example.com'}
        aria-describedby={describedBy}
        aria-invalid={invalid ? true : undefined}
        onChange={(e) => {
          const text = e.target.value;
          if (/[,;\n]/.test(text)) commit(text);
          else setDraft(text);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (draft.trim() !== '') commit(draft);
        }}
      />
    </div>
  );
}
