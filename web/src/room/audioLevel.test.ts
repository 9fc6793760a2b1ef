// The meter's scale: silence is empty, full-scale is full, and it is logarithmic.
import { describe, expect, it } from 'vitest';
import { levelOf } from './audioLevel';

const tone = (amplitude: number) => Array.from({ length: 480 }, (_, i) => amplitude * Math.sin(i / 5));

describe('levelOf', () => {
  it('is empty for silence and nothing', () => {
    expect(levelOf([])).toBe(0);
    expect(levelOf(new Float32Array(256))).toBe(0);
  });

  it('is full for a full-scale square wave and never above', () => {
    expect(levelOf(Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -1)))).toBe(1);
  });

  it('rises by a third of the meter per 20 dB', () => {
    const loud = levelOf(tone(0.5));
    const quiet = levelOf(tone(0.05));
    expect(loud - quiet).toBeCloseTo(1 / 3, 2);
    expect(levelOf(tone(0.0005))).toBe(0);
  });
});
