// The ink of one page over its Y.Doc: the shared schema the PDF export and any stock Yjs
// client read (a root Y.Array "ink" of Y.Maps: id, tool, color, width, points, text,
// author), and the edits a participant makes to it: freehand strokes streamed while drawn,
// shapes, text, erasing whole strokes, clearing the page, and undo/redo of one's own edits.
// No sockets and no drawing here: the page connection syncs the doc, the renderer paints
// what `strokes()` returns.
import * as Y from 'yjs';
import { type InkTool, type Point, type Stroke, hitsStroke, shapeTools } from './geometry';
import { INK_ROOT } from '../../proto/contracts';
import { Pacer, type PacerTimers } from './pacer';

/** Name of the root array holding a page's marks. */
export const inkField = INK_ROOT;

/** How often a stroke being drawn is published: about 20 Hz. */
export const streamIntervalMs = 50;

/** Pen points closer than this (page-width fraction, ~0.5 px on a 1600 px page) add nothing visible. */
const minStep = 0.0003;

const tools: ReadonlySet<string> = new Set<InkTool>(['pen', 'highlighter', 'line', 'arrow', 'rect', 'ellipse', 'text']);

export type InkStyle = { color: string; width: number };

/** Four decimals: a tenth of a pixel on a 1600 px page, and shorter updates. */
function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

/** A mark as plain data, or undefined when a client wrote something outside the schema. */
export function readStroke(m: Y.Map<unknown>): Stroke | undefined {
  const id = m.get('id');
  const tool = m.get('tool');
  const color = m.get('color');
  const width = m.get('width');
  const points = m.get('points');
  const text = m.get('text');
  const author = m.get('author');
  if (typeof id !== 'string' || typeof tool !== 'string' || !tools.has(tool)) return undefined;
  if (typeof color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(color)) return undefined;
  if (typeof width !== 'number' || !(width > 0) || !(points instanceof Y.Array)) return undefined;
  const flat = (points.toArray() as unknown[]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return {
    id,
    tool: tool as InkTool,
    color,
    width,
    points: flat,
    ...(typeof text === 'string' ? { text } : {}),
    author: typeof author === 'string' ? author : '',
  };
}

export class InkModel {
  readonly ink: Y.Array<Y.Map<unknown>>;
  private readonly undoManager: Y.UndoManager;
  /** Marks this participant's own transactions: only those are undone. */
  private readonly origin = { ink: 'local' };
  private drawing: { points: Y.Array<number>; last: Point; pacer: Pacer<number[]> } | undefined;

  constructor(
    private readonly doc: Y.Doc,
    private readonly author: string,
    private readonly newId: () => string = () => crypto.randomUUID(),
    private readonly timers?: PacerTimers,
  ) {
    this.ink = doc.getArray<Y.Map<unknown>>(inkField);
    // Every edit is its own undo step because each starts with stopCapturing(); an infinite
    // capture window keeps one stroke's streamed batches together however slowly it is drawn.
    this.undoManager = new Y.UndoManager(this.ink, {
      trackedOrigins: new Set([this.origin]),
      captureTimeout: Number.POSITIVE_INFINITY,
    });
  }

  /** Every readable mark, in drawing order. */
  strokes(): Stroke[] {
    const out: Stroke[] = [];
    for (const m of this.ink) {
      const s = m instanceof Y.Map ? readStroke(m) : undefined;
      if (s) out.push(s);
    }
    return out;
  }

  /** Calls `fn` after any change to the ink, local or remote; returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    const observer = () => {
      fn();
    };
    this.ink.observeDeep(observer);
    return () => {
      this.ink.unobserveDeep(observer);
    };
  }

  /** Starts a freehand stroke; its points are published in batches as they come. */
  begin(tool: 'pen' | 'highlighter', style: InkStyle, p: Point): string {
    this.end();
    const points = new Y.Array<number>();
    const id = this.insert(tool, style, points, [p]);
    const pacer = new Pacer<number[]>(
      streamIntervalMs,
      (a, b) => a.concat(b),
      (batch) => {
        this.doc.transact(() => {
          points.push(batch);
        }, this.origin);
      },
      this.timers,
    );
    this.drawing = { points, last: p, pacer };
    return id;
  }

  /** Adds a point to the stroke being drawn (skipped when too close to the last one). */
  extend(p: Point): void {
    const d = this.drawing;
    if (!d || Math.hypot(p.x - d.last.x, p.y - d.last.y) < minStep) return;
    d.last = p;
    d.pacer.offer([round(p.x), round(p.y)]);
  }

  /** Finishes the stroke being drawn, publishing its last points now. */
  end(): void {
    this.drawing?.pacer.flush();
    this.drawing = undefined;
  }

  /** Adds a line, arrow, rectangle or ellipse from `from` to `to`. */
  addShape(tool: InkTool, style: InkStyle, from: Point, to: Point): string {
    if (!shapeTools.has(tool)) throw new Error(`${tool} is not a shape`);
    this.end();
    return this.insert(tool, style, new Y.Array<number>(), [from, to]);
  }

  /** Adds text with its top-left at `at`. */
  addText(style: InkStyle, at: Point, text: string): string {
    this.end();
    return this.insert('text', style, new Y.Array<number>(), [at], text);
  }

  /** Starts a new undo step (an eraser drag deletes many strokes as one step). */
  checkpoint(): void {
    this.undoManager.stopCapturing();
  }

  /** Deletes every mark `p` touches (whole strokes); returns how many. */
  eraseAt(p: Point, radius: number, aspect: number): number {
    const hit: number[] = [];
    this.ink.forEach((m, i) => {
      const s = m instanceof Y.Map ? readStroke(m) : undefined;
      if (s && hitsStroke(s, p, radius, aspect)) hit.push(i);
    });
    if (hit.length === 0) return 0;
    this.doc.transact(() => {
      for (const i of hit.reverse()) this.ink.delete(i, 1);
    }, this.origin);
    return hit.length;
  }

  /** Deletes every mark on the page, everyone's (undoable by whoever cleared). */
  clear(): void {
    this.end();
    if (this.ink.length === 0) return;
    this.checkpoint();
    this.doc.transact(() => {
      this.ink.delete(0, this.ink.length);
    }, this.origin);
  }

  undo(): void {
    this.end();
    this.undoManager.undo();
  }

  redo(): void {
    this.end();
    this.undoManager.redo();
  }

  canUndo(): boolean {
    return this.undoManager.canUndo();
  }

  canRedo(): boolean {
    return this.undoManager.canRedo();
  }

  /** Calls `fn` when the undo/redo stacks change; returns the unsubscribe. */
  onHistory(fn: () => void): () => void {
    const events = ['stack-item-added', 'stack-item-popped', 'stack-cleared'] as const;
    for (const e of events) this.undoManager.on(e, fn);
    return () => {
      for (const e of events) this.undoManager.off(e, fn);
    };
  }

  destroy(): void {
    this.drawing?.pacer.cancel();
    this.drawing = undefined;
    this.undoManager.destroy();
  }

  private insert(tool: InkTool, style: InkStyle, points: Y.Array<number>, at: Point[], text?: string): string {
    this.checkpoint();
    const id = this.newId();
    const m = new Y.Map<unknown>();
    this.doc.transact(() => {
      m.set('id', id);
      m.set('tool', tool);
      m.set('color', style.color);
      m.set('width', style.width);
      points.push(at.flatMap((p) => [round(p.x), round(p.y)]));
      m.set('points', points);
      if (text !== undefined) m.set('text', text);
      m.set('author', this.author);
      this.ink.push([m]);
    }, this.origin);
    return id;
  }
}
