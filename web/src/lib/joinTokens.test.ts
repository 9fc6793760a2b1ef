// Tests of join-link parsing (storage itself is a thin wrapper over sessionStorage).
import { describe, expect, it } from 'vitest';
import { linkKey } from './joinTokens';

describe('linkKey', () => {
  it('extracts the key from absolute and relative join links', () => {
    expect(linkKey('http://host:8080/j/AbC-123')).toBe('AbC-123');
    expect(linkKey('/j/xyz?x=1')).toBe('xyz');
    expect(linkKey('https://h/j/a%20b')).toBe('a b');
  });

  it('returns undefined for anything else', () => {
    expect(linkKey(undefined)).toBeUndefined();
    expect(linkKey('http://host/m/123')).toBeUndefined();
  });
});
