import { describe, expect, it } from 'vitest';
import { arrowHead, fitPage, hitsStroke, pointsOf, toPage, toPixels, type Stroke } from './geometry';

const stroke = (over: Partial<Stroke>): Stroke => ({
  id: 's',
  tool: 'pen',
  color: '#000000',
  width: 0.004,
  points: [],
  author: 'a',
  ...over,
});

describe('normalisation', () => {
  it('maps a pointer position to page fractions and back at any box size', () => {
    const p = toPage({ x: 400, y: 225 }, { width: 800, height: 450 });
    expect(p).toEqual({ x: 0.5, y: 0.5 });
    expect(toPixels(p, { width: 1600, height: 900 })).toEqual({ x: 800, y: 450 });
  });

  it('clamps positions outside the page to its edge', () => {
    expect(toPage({ x: -10, y: 500 }, { width: 100, height: 100 })).toEqual({ x: 0, y: 1 });
  });

  it('fits a page into the space keeping its aspect ratio', () => {
    expect(fitPage({ width: 1600, height: 900 }, { width: 800, height: 800 })).toEqual({ width: 800, height: 450 });
    expect(fitPage({ width: 1600, height: 900 }, { width: 1000, height: 300 })).toEqual({ width: 533, height: 300 });
    expect(fitPage({ width: 0, height: 900 }, { width: 1000, height: 300 })).toEqual({ width: 0, height: 0 });
  });

  it('reads flat coordinates as points, ignoring a dangling x', () => {
    expect(pointsOf([0.1, 0.2, 0.3, 0.4, 0.5])).toEqual([
      { x: 0.1, y: 0.2 },
      { x: 0.3, y: 0.4 },
    ]);
  });
});

describe('hit-testing for the eraser', () => {
  const aspect = 16 / 9;

  it('hits a freehand stroke near any of its segments and misses it further away', () => {
    const s = stroke({ points: [0.1, 0.1, 0.5, 0.1, 0.5, 0.5] });
    expect(hitsStroke(s, { x: 0.3, y: 0.105 }, 0.01, aspect)).toBe(true);
    expect(hitsStroke(s, { x: 0.505, y: 0.3 }, 0.01, aspect)).toBe(true);
    expect(hitsStroke(s, { x: 0.3, y: 0.3 }, 0.01, aspect)).toBe(false);
  });

  it('measures vertical distance in page-width units on a wide page', () => {
    const s = stroke({ points: [0.1, 0.5, 0.9, 0.5] });
    // 0.03 of the height is 0.017 of the width on a 16:9 page: inside a 0.02 radius.
    expect(hitsStroke(s, { x: 0.5, y: 0.53 }, 0.02, aspect)).toBe(true);
    expect(hitsStroke(s, { x: 0.5, y: 0.53 }, 0.02, 1)).toBe(false);
  });

  it('hits a rectangle on its outline, not in its empty middle', () => {
    const s = stroke({ tool: 'rect', points: [0.2, 0.2, 0.6, 0.6] });
    expect(hitsStroke(s, { x: 0.6, y: 0.4 }, 0.01, 1)).toBe(true);
    expect(hitsStroke(s, { x: 0.4, y: 0.4 }, 0.01, 1)).toBe(false);
  });

  it('hits an ellipse on its outline', () => {
    const s = stroke({ tool: 'ellipse', points: [0.2, 0.2, 0.6, 0.4] });
    expect(hitsStroke(s, { x: 0.4, y: 0.2 }, 0.01, 1)).toBe(true);
    expect(hitsStroke(s, { x: 0.6, y: 0.3 }, 0.01, 1)).toBe(true);
    expect(hitsStroke(s, { x: 0.4, y: 0.3 }, 0.01, 1)).toBe(false);
  });

  it('hits text anywhere in its box', () => {
    const s = stroke({ tool: 'text', width: 0.024, points: [0.1, 0.1], text: 'Hello world' });
    expect(hitsStroke(s, { x: 0.13, y: 0.11 }, 0.005, aspect)).toBe(true);
    expect(hitsStroke(s, { x: 0.13, y: 0.3 }, 0.005, aspect)).toBe(false);
  });

  it('hits a single-point stroke (a dot)', () => {
    const s = stroke({ points: [0.5, 0.5] });
    expect(hitsStroke(s, { x: 0.505, y: 0.5 }, 0.01, 1)).toBe(true);
  });
});

describe('arrow heads', () => {
  it('puts both barbs behind the tip, either side of the shaft', () => {
    const [a, b] = arrowHead({ x: 0, y: 0 }, { x: 10, y: 0 }, 2);
    expect(a.x).toBeLessThan(10);
    expect(b.x).toBeLessThan(10);
    expect(Math.sign(a.y)).toBe(-Math.sign(b.y));
    expect(Math.hypot(10 - a.x, a.y)).toBeCloseTo(2);
  });
});
