// A button that opens a small non-modal panel (device settings, the invite link) above
// or below it. Focus moves into the panel on open; Esc or a click outside closes it and
// Esc returns focus to the button.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

type Props = {
  /** Accessible name of the button and the panel. */
  label: string;
  /** What the button shows (an icon, text). */
  button: ReactNode;
  buttonClass?: string;
  /** Opens above the button (in the bottom bar) or below it (in the header). */
  side?: 'above' | 'below';
  align?: 'start' | 'end';
  children: ReactNode;
};

export function Popover({ label, button, buttonClass, side = 'above', align = 'start', children }: Props) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    wrap.current?.querySelector<HTMLElement>('.popover select, .popover button, .popover input')?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  return (
    <div
      className="popover-wrap"
      ref={wrap}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className={buttonClass ?? 'btn'}
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {button}
      </button>
      {open && (
        <div id={id} role="dialog" aria-label={label} className={`popover popover-${side} popover-${align}`}>
          {children}
        </div>
      )}
    </div>
  );
}
