// Keyboard shortcuts of the room: which key does what, and when a key press is one
// (never while typing, never with Ctrl/Alt/Meta, so browser and screen-reader keys
// keep working). The help sheet lists `shortcuts`; the room view performs the action. Pure.

export type ShortcutAction = 'mic' | 'camera' | 'hand' | 'people' | 'chat' | 'help';

export const shortcuts: readonly { key: string; action: ShortcutAction; label: string }[] = [
  { key: 'm', action: 'mic', label: 'Mute or unmute your microphone' },
  { key: 'v', action: 'camera', label: 'Turn your camera on or off' },
  { key: 'h', action: 'hand', label: 'Raise or lower your hand' },
  { key: 'p', action: 'people', label: 'Show or hide people' },
  { key: 'c', action: 'chat', label: 'Show or hide chat' },
  { key: '?', action: 'help', label: 'Show these shortcuts' },
];

/** The parts of a KeyboardEvent that matter (so tests need no DOM). */
export type KeyPress = {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  repeat: boolean;
  target: { tagName?: string; type?: string; isContentEditable?: boolean; role?: string | null } | null;
};

/** Inputs where a letter is typing, not a command. */
const typing = new Set(['TEXTAREA', 'SELECT']);
const nonTextInputs = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

function isTyping(target: KeyPress['target']): boolean {
  if (!target) return false;
  if (target.isContentEditable || target.role === 'textbox') return true;
  const tag = target.tagName?.toUpperCase();
  if (tag === 'INPUT') return !nonTextInputs.has((target.type ?? 'text').toLowerCase());
  return tag !== undefined && typing.has(tag);
}

/** The shortcut a key press means, or undefined when it is anything else. */
export function shortcutFor(e: KeyPress): ShortcutAction | undefined {
  if (e.ctrlKey || e.altKey || e.metaKey || e.repeat || isTyping(e.target)) return undefined;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  return shortcuts.find((s) => s.key === key)?.action;
}
