import { describe, expect, it } from 'vitest';
import type { Stroke } from './geometry';
import { highlighterAlpha, paint, type Ctx } from './render';

/** A 2D context that records the calls that place ink, and the style at each stroke/fill. */
function recorder() {
  const calls: string[] = [];
  const state = { strokeStyle: '', fillStyle: '', lineWidth: 1, globalAlpha: 1, font: '' };
  const saved: Partial<typeof state>[] = [];
  const log =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push(
        `${name}(${args.map((a) => (typeof a === 'number' ? Math.round(a * 10) / 10 : String(a))).join(',')})`,
      );
    };
  const ctx = {
    ...state,
    lineCap: 'round',
    lineJoin: 'round',
    textBaseline: 'top',
    save: () => {
      const { strokeStyle, fillStyle, lineWidth, globalAlpha, font } = ctx;
      saved.push({ strokeStyle, fillStyle, lineWidth, globalAlpha, font });
    },
    restore: () => {
      Object.assign(ctx, saved.pop());
    },
    beginPath: () => undefined,
    moveTo: log('moveTo'),
    lineTo: log('lineTo'),
    quadraticCurveTo: log('quadraticCurveTo'),
    arc: log('arc'),
    ellipse: log('ellipse'),
    rect: log('rect'),
    fillText: log('fillText'),
    clearRect: log('clearRect'),
    setTransform: () => undefined,
    stroke: () => calls.push(`stroke alpha=${ctx.globalAlpha} width=${ctx.lineWidth} ${ctx.strokeStyle}`),
    fill: () => calls.push(`fill ${ctx.fillStyle}`),
  };
  return { ctx: ctx as unknown as Ctx, calls };
}

const base = { id: 's', color: '#e11d48', width: 0.01, author: 'a' };

describe('paint', () => {
  it('places ink in pixels of the page box, at any size', () => {
    const line: Stroke = { ...base, tool: 'line', points: [0.25, 0.5, 0.75, 0.5] };
    const small = recorder();
    paint(small.ctx, { strokes: [line], lasers: [] }, { width: 400, height: 225 });
    expect(small.calls).toEqual([
      'clearRect(0,0,400,225)',
      'moveTo(100,112.5)',
      'lineTo(300,112.5)',
      'stroke alpha=1 width=4 #e11d48',
    ]);
    const big = recorder();
    paint(big.ctx, { strokes: [line], lasers: [] }, { width: 1600, height: 900 });
    expect(big.calls.slice(1)).toEqual(['moveTo(400,450)', 'lineTo(1200,450)', 'stroke alpha=1 width=16 #e11d48']);
  });

  it('draws the highlighter translucent and the pen opaque', () => {
    const r = recorder();
    paint(
      r.ctx,
      {
        strokes: [
          { ...base, tool: 'highlighter', points: [0, 0, 0.5, 0.5] },
          { ...base, tool: 'pen', points: [0, 0, 0.5, 0.5] },
        ],
        lasers: [],
      },
      { width: 100, height: 100 },
    );
    expect(r.calls.filter((c) => c.startsWith('stroke'))).toEqual([
      `stroke alpha=${highlighterAlpha} width=1 #e11d48`,
      'stroke alpha=1 width=1 #e11d48',
    ]);
  });

  it('gives arrows a head at their end', () => {
    const r = recorder();
    paint(
      r.ctx,
      { strokes: [{ ...base, tool: 'arrow', points: [0, 0.5, 1, 0.5] }], lasers: [] },
      { width: 100, height: 100 },
    );
    // shaft, then both barbs meeting at the tip
    expect(r.calls.filter((c) => c.startsWith('lineTo'))).toEqual([
      'lineTo(100,50)',
      'lineTo(100,50)',
      expect.stringMatching(/^lineTo\(9\d/),
    ]);
  });

  it('sizes text by its width, in page widths', () => {
    const r = recorder();
    paint(
      r.ctx,
      { strokes: [{ ...base, tool: 'text', width: 0.02, points: [0.1, 0.1], text: 'a\nb' }], lasers: [] },
      { width: 1000, height: 500 },
    );
    expect(r.calls.filter((c) => c.startsWith('fillText'))).toEqual(['fillText(a,100,50)', 'fillText(b,100,75)']);
  });

  it('paints others’ laser dots over the ink', () => {
    const r = recorder();
    paint(r.ctx, { strokes: [], lasers: [{ key: 1, x: 0.5, y: 0.5, color: '#ef4444' }] }, { width: 200, height: 100 });
    expect(r.calls.filter((c) => c.startsWith('arc')).map((c) => c.split(',').slice(0, 2).join(','))).toEqual([
      'arc(100,50',
      'arc(100,50',
    ]);
  });
});
