// Tile sizes: tiles grow with the space, and the featured person gets the large one.
import { describe, expect, it } from 'vitest';
import { arrange, fitGrid, tileGap } from './videoLayout';

const desktop = { width: 1000, height: 700 };
const phone = { width: 374, height: 560 };

describe('fitGrid', () => {
  it('gives one tile the whole width when the space is wide enough', () => {
    const g = fitGrid(1, desktop);
    expect(g).toMatchObject({ columns: 1, rows: 1 });
    expect(g.tile.width).toBe(1000);
    expect(g.tile.height).toBe(562);
  });

  it('puts four tiles two by two, each about half the width', () => {
    const g = fitGrid(4, desktop);
    expect(g).toMatchObject({ columns: 2, rows: 2 });
    expect(g.tile.width).toBe(Math.floor((1000 - tileGap) / 2));
  });

  it('stacks tiles on a tall phone screen', () => {
    const g = fitGrid(3, phone);
    expect(g.columns).toBe(1);
    expect(g.tile.width).toBe(Math.floor(((560 - 2 * tileGap) / 3) * (16 / 9)));
  });

  it('never overflows the area', () => {
    for (let n = 1; n <= 25; n++) {
      const g = fitGrid(n, desktop);
      expect(g.columns * g.tile.width + (g.columns - 1) * tileGap).toBeLessThanOrEqual(desktop.width);
      expect(g.rows * g.tile.height + (g.rows - 1) * tileGap).toBeLessThanOrEqual(desktop.height);
      expect(g.columns * g.rows).toBeGreaterThanOrEqual(n);
    }
  });

  it('has nothing to lay out in no space', () => {
    expect(fitGrid(3, { width: 0, height: 500 }).tile.width).toBe(0);
    expect(fitGrid(0, desktop).columns).toBe(0);
  });
});

describe('arrange', () => {
  it('makes the featured tile larger than any grid tile, with thumbnails under it', () => {
    const grid = arrange('area', desktop, 5, false);
    const speaker = arrange('area', desktop, 5, true);
    expect(speaker.main?.height).toBeGreaterThan(grid.tile.height * 1.5);
    expect(speaker.tile.height).toBeLessThan(grid.tile.height);
    expect(speaker.columns).toBe(4);
    expect((speaker.main?.height ?? 0) + tileGap + speaker.tile.height).toBeLessThanOrEqual(desktop.height);
  });

  it('grows with the window', () => {
    const small = arrange('area', { width: 600, height: 400 }, 2, true);
    const large = arrange('area', { width: 1200, height: 800 }, 2, true);
    expect(large.main?.height).toBeGreaterThan((small.main?.height ?? 0) * 1.8);
  });

  it('fills a strip with one row as tall as the strip, the featured tile tallest', () => {
    const plain = arrange('strip', { width: 900, height: 120 }, 3, false);
    expect(plain).toMatchObject({ main: undefined, tile: { width: 213, height: 120 }, columns: 3 });
    const featured = arrange('strip', { width: 900, height: 200 }, 3, true);
    expect(featured.main).toEqual({ width: 355, height: 200 });
    expect(featured.tile.height).toBe(120);
  });

  it('shows a lone featured person as large as the area allows', () => {
    expect(arrange('area', desktop, 1, true).main?.width).toBe(1000);
  });
});
