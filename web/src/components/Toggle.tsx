// A labelled checkbox with a hint underneath, as used in settings forms.

export function Toggle(props: {
  id: string;
  label: string;
  hint: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <div className="check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
        aria-describedby={`${props.id}-hint`}
      />
      <div>
        <label htmlFor={props.id}>{props.label}</label>
        <p id={`${props.id}-hint`} className="field-hint">
          {props.hint}
        </p>
      </div>
    </div>
  );
}
