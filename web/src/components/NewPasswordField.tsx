// A field for a new password (an account's first, a reset, your own change): says the
// length rule, and turns into an error while what is typed is too short.

/** The shortest password the server accepts (`rules::PASSWORD`). */
export const minPasswordChars = 10;

export function tooShort(password: string): boolean {
  return password.length > 0 && password.length < minPasswordChars;
}

type Props = {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** What the hint says after the length rule. */
  hint: string;
  required?: boolean;
  /** The server named this field in its answer. */
  invalid?: boolean;
};

export function NewPasswordField({ id, label, value, onChange, hint, required, invalid }: Props) {
  const short = tooShort(value);
  return (
    <div className={short ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        required={required}
        autoComplete="new-password"
        minLength={required ? minPasswordChars : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={`${id}-hint`}
        aria-invalid={short || invalid ? true : undefined}
      />
      <p id={`${id}-hint`} className={short ? 'field-error' : 'field-hint'}>
        {hint}
      </p>
    </div>
  );
}
