import { describe, expect, it } from 'vitest';
import { laserOf } from './pageConnection';

describe('laserOf', () => {
  it('reads a laser position from an awareness state', () => {
    expect(laserOf({ laser: { x: 0.5, y: 0.25, color: '#2563eb' } })).toEqual({ x: 0.5, y: 0.25, color: '#2563eb' });
  });

  it('ignores states without a laser, and positions off the page', () => {
    expect(laserOf(null)).toBeUndefined();
    expect(laserOf({ user: 'x' })).toBeUndefined();
    expect(laserOf({ laser: { x: 2, y: 0.5 } })).toBeUndefined();
    expect(laserOf({ laser: { x: '0.5', y: 0.5 } })).toBeUndefined();
  });

  it('replaces a colour that is not #rrggbb', () => {
    expect(laserOf({ laser: { x: 0, y: 0, color: 'url(javascript:1)' } })?.color).toBe('#ef4444');
  });
});
