// A button that copies text (a join link) and confirms briefly in place.
import { useEffect, useState } from 'react';
import { copyText } from '../lib/clipboard';
import { showToast } from '../lib/toasts';
import { Icon } from './Icon';

type Props = {
  text: string;
  /** Accessible and visible name, e.g. "Copy attendee link". */
  label: string;
  /** What the toast says was copied, e.g. "Attendee link". */
  what: string;
  className?: string;
  compact?: boolean;
};

export function CopyButton({ text, label, what, className, compact }: Props) {
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => {
      setCopied(false);
    }, 2000);
    return () => {
      clearTimeout(t);
    };
  }, [copied]);

  const onClick = async () => {
    if (await copyText(text)) {
      setCopied(true);
      showToast(`${what} copied to the clipboard`, 'success');
    } else {
      showToast(`Could not copy. Select the link and copy it yourself.`, 'error');
    }
  };

  return (
    <button type="button" className={className ?? 'btn btn-sm'} aria-label={label} onClick={() => void onClick()}>
      <Icon name={copied ? 'check' : 'copy'} size={16} />
      {!compact && <span>{copied ? 'Copied' : label}</span>}
    </button>
  );
}
