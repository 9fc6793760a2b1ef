import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { InkModel, inkField, streamIntervalMs } from './inkModel';

const style = { color: '#e11d48', width: 0.004 };

/** Two replicas of one page document, kept in sync as a server would relay updates. */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array) => Y.applyUpdate(b, u, 'remote'));
  b.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') Y.applyUpdate(a, u, 'remote');
  });
  return { a, b };
}

function manualTimers() {
  let now = 0;
  let pending: (() => void) | undefined;
  return {
    timers: {
      now: () => now,
      setTimeout: (fn: () => void) => {
        pending = fn;
        return 1;
      },
      clearTimeout: () => {
        pending = undefined;
      },
    },
    tick(ms: number) {
      now += ms;
      const fn = pending;
      pending = undefined;
      fn?.();
    },
  };
}

let ids = 0;
const newId = () => `id-${++ids}`;

describe('InkModel', () => {
  it('streams a freehand stroke in batches: the other side sees it before it ends', () => {
    const { a, b } = pair();
    const clock = manualTimers();
    const ann = new InkModel(a, 'ann', newId, clock.timers);
    const viewer = new InkModel(b, 'bob', newId);
    ann.begin('pen', style, { x: 0.1, y: 0.1 });
    expect(viewer.strokes()).toHaveLength(1);
    ann.extend({ x: 0.2, y: 0.2 }); // first batch goes at once
    ann.extend({ x: 0.3, y: 0.3 }); // then within the interval: held back
    ann.extend({ x: 0.4, y: 0.4 });
    expect(viewer.strokes()[0]?.points).toEqual([0.1, 0.1, 0.2, 0.2]);
    clock.tick(streamIntervalMs);
    expect(viewer.strokes()[0]?.points).toEqual([0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4, 0.4]);
    ann.extend({ x: 0.5, y: 0.5 });
    ann.end();
    const s = viewer.strokes()[0];
    expect(s).toMatchObject({ tool: 'pen', color: '#e11d48', width: 0.004, author: 'ann' });
    expect(s?.points).toHaveLength(10);
  });

  it('writes the schema the PDF export reads', () => {
    const doc = new Y.Doc();
    let n = 0;
    const ink = new InkModel(doc, 'ann', () => `id-${++n}`);
    ink.addShape('arrow', style, { x: 0.1, y: 0.2 }, { x: 0.3, y: 0.4 });
    ink.addText(style, { x: 0.5, y: 0.5 }, 'Hi');
    const [arrow, text] = doc.getArray(inkField).toJSON() as Record<string, unknown>[];
    expect(arrow).toEqual({
      id: 'id-1',
      tool: 'arrow',
      color: '#e11d48',
      width: 0.004,
      points: [0.1, 0.2, 0.3, 0.4],
      author: 'ann',
    });
    expect(text).toEqual({
      id: 'id-2',
      tool: 'text',
      color: '#e11d48',
      width: 0.004,
      points: [0.5, 0.5],
      text: 'Hi',
      author: 'ann',
    });
  });

  it('skips pen points too close to the last one', () => {
    const doc = new Y.Doc();
    const ink = new InkModel(doc, 'ann', newId);
    ink.begin('pen', style, { x: 0.1, y: 0.1 });
    ink.extend({ x: 0.10001, y: 0.1 });
    ink.end();
    expect(ink.strokes()[0]?.points).toEqual([0.1, 0.1]);
  });

  it('undoes only your own edits, a whole stroke at a time, and redoes them', () => {
    const { a, b } = pair();
    const ann = new InkModel(a, 'ann', newId);
    const bob = new InkModel(b, 'bob', newId);
    ann.begin('pen', style, { x: 0.1, y: 0.1 });
    ann.extend({ x: 0.2, y: 0.2 });
    ann.extend({ x: 0.3, y: 0.3 });
    ann.end();
    bob.addShape('rect', style, { x: 0.5, y: 0.5 }, { x: 0.6, y: 0.6 });
    ann.addShape('line', style, { x: 0.7, y: 0.7 }, { x: 0.8, y: 0.8 });
    expect(bob.strokes().map((s) => s.tool)).toEqual(['pen', 'rect', 'line']);

    ann.undo();
    expect(bob.strokes().map((s) => s.tool)).toEqual(['pen', 'rect']);
    ann.undo();
    expect(bob.strokes().map((s) => s.tool)).toEqual(['rect']);
    expect(ann.canUndo()).toBe(false);
    ann.redo();
    expect(bob.strokes().map((s) => s.tool)).toEqual(['pen', 'rect']);
    expect(bob.strokes()[0]?.points).toHaveLength(6);
    expect(bob.canUndo()).toBe(true);
    bob.undo();
    expect(ann.strokes().map((s) => s.tool)).toEqual(['pen']);
  });

  it('erases whole strokes under the pointer, and undo brings back what you erased', () => {
    const { a, b } = pair();
    const ann = new InkModel(a, 'ann', newId);
    const bob = new InkModel(b, 'bob', newId);
    bob.addShape('line', style, { x: 0.1, y: 0.5 }, { x: 0.9, y: 0.5 });
    bob.addShape('line', style, { x: 0.1, y: 0.8 }, { x: 0.9, y: 0.8 });
    ann.checkpoint();
    expect(ann.eraseAt({ x: 0.5, y: 0.5 }, 0.01, 1)).toBe(1);
    expect(bob.strokes()).toHaveLength(1);
    ann.undo();
    expect(bob.strokes()).toHaveLength(2);
  });

  it('clears the page as one undoable step', () => {
    const doc = new Y.Doc();
    const ink = new InkModel(doc, 'ann', newId);
    ink.addShape('rect', style, { x: 0.1, y: 0.1 }, { x: 0.2, y: 0.2 });
    ink.addShape('ellipse', style, { x: 0.3, y: 0.3 }, { x: 0.4, y: 0.4 });
    ink.clear();
    expect(ink.strokes()).toEqual([]);
    ink.undo();
    expect(ink.strokes()).toHaveLength(2);
  });

  it('ignores marks outside the schema written by other clients', () => {
    const doc = new Y.Doc();
    const ink = new InkModel(doc, 'ann', newId);
    const bad = new Y.Map<unknown>();
    bad.set('tool', 'flamethrower');
    const alsoBad = new Y.Map<unknown>();
    alsoBad.set('id', 'x');
    alsoBad.set('tool', 'pen');
    alsoBad.set('color', 'red; background: url(x)');
    alsoBad.set('width', 0.01);
    alsoBad.set('points', new Y.Array());
    doc.getArray(inkField).push([bad, alsoBad]);
    ink.addShape('line', style, { x: 0, y: 0 }, { x: 1, y: 1 });
    expect(ink.strokes().map((s) => s.tool)).toEqual(['line']);
  });
});
