// Shortcuts fire on plain keys outside text fields, and never while typing.
import { describe, expect, it } from 'vitest';
import { shortcutFor, type KeyPress } from './shortcuts';

const press = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  repeat: false,
  target: { tagName: 'BODY' },
  ...extra,
});

describe('shortcutFor', () => {
  it('maps the documented keys, in either case', () => {
    expect(shortcutFor(press('m'))).toBe('mic');
    expect(shortcutFor(press('M'))).toBe('mic');
    expect(shortcutFor(press('v'))).toBe('camera');
    expect(shortcutFor(press('h'))).toBe('hand');
    expect(shortcutFor(press('?'))).toBe('help');
    expect(shortcutFor(press('x'))).toBeUndefined();
  });

  it('leaves typing alone: text inputs, text areas, menus and rich text', () => {
    expect(shortcutFor(press('m', { target: { tagName: 'INPUT', type: 'text' } }))).toBeUndefined();
    expect(shortcutFor(press('m', { target: { tagName: 'INPUT' } }))).toBeUndefined();
    expect(shortcutFor(press('m', { target: { tagName: 'TEXTAREA' } }))).toBeUndefined();
    expect(shortcutFor(press('m', { target: { tagName: 'SELECT' } }))).toBeUndefined();
    expect(shortcutFor(press('m', { target: { tagName: 'DIV', isContentEditable: true } }))).toBeUndefined();
  });

  it('works from buttons and checkboxes', () => {
    expect(shortcutFor(press('m', { target: { tagName: 'BUTTON' } }))).toBe('mic');
    expect(shortcutFor(press('h', { target: { tagName: 'INPUT', type: 'checkbox' } }))).toBe('hand');
  });

  it('leaves browser and screen-reader chords and held keys alone', () => {
    expect(shortcutFor(press('m', { ctrlKey: true }))).toBeUndefined();
    expect(shortcutFor(press('m', { altKey: true }))).toBeUndefined();
    expect(shortcutFor(press('m', { metaKey: true }))).toBeUndefined();
    expect(shortcutFor(press('m', { repeat: true }))).toBeUndefined();
  });
});
