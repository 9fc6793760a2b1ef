// Pointer input on a page → the current tool: freehand strokes streamed while drawn,
// shapes previewed locally and added on release, the eraser deleting whole strokes it
// touches, text placed where clicked, and the laser following the pointer. Positions are
// page fractions of the element the pointer is over, so any window size lines up.
import { Store } from '../../lib/store';
import { type InkTool, type Point, type Stroke, shapeTools, toPage } from './geometry';
import type { PageConnection } from './pageConnection';

export type ToolName = InkTool | 'eraser' | 'laser';

export type ToolSettings = { tool: ToolName; color: string; width: number };

export const toolLabels: readonly { tool: ToolName; label: string }[] = [
  { tool: 'pen', label: 'Pen' },
  { tool: 'highlighter', label: 'Highlighter' },
  { tool: 'line', label: 'Line' },
  { tool: 'arrow', label: 'Arrow' },
  { tool: 'rect', label: 'Rectangle' },
  { tool: 'ellipse', label: 'Ellipse' },
  { tool: 'text', label: 'Text' },
  { tool: 'eraser', label: 'Eraser' },
  { tool: 'laser', label: 'Laser pointer' },
];

export const inkColors: readonly { color: string; label: string }[] = [
  { color: '#111827', label: 'Black' },
  { color: '#e11d48', label: 'Red' },
  { color: '#2563eb', label: 'Blue' },
  { color: '#16a34a', label: 'Green' },
  { color: '#f59e0b', label: 'Yellow' },
  { color: '#ffffff', label: 'White' },
];

/** Line widths as fractions of the page width (3, 6 and 13 px on a 1600 px page). */
export const inkWidths: readonly { width: number; label: string }[] = [
  { width: 0.002, label: 'Thin' },
  { width: 0.004, label: 'Medium' },
  { width: 0.008, label: 'Thick' },
];

/** A highlighter is a broad marker: this many times the chosen width. */
const highlighterScale = 4;
/** Text height for a chosen width (a medium 0.004 gives text 2.4 % of the page width high). */
const textScale = 6;
/** The eraser's reach, as a fraction of the page width. */
export const eraserRadius = 0.01;
/** A shape smaller than this (page fraction) is a slip of the hand, not a shape. */
const minShape = 0.002;

export const defaultTools: ToolSettings = { tool: 'pen', color: '#e11d48', width: 0.004 };

/** The width a tool draws with at a chosen width. */
export function strokeWidth(tool: ToolName, width: number): number {
  if (tool === 'highlighter') return width * highlighterScale;
  return tool === 'text' ? width * textScale : width;
}

/** Where text is being typed, before it is added. */
export type TextPrompt = { at: Point };

export class PointerTools {
  /** The shape being dragged (local until released). */
  readonly draft = new Store<Stroke | undefined>(undefined);
  /** Where the text tool was clicked, while its input is open. */
  readonly textPrompt = new Store<TextPrompt | undefined>(undefined);
  private pressed = false;
  private shapeStart: Point | undefined;

  constructor(
    private readonly page: PageConnection,
    private readonly settings: () => ToolSettings,
  ) {}

  /** Listens to pointer events on `el` (the page's overlay); returns the detach. */
  attach(el: HTMLElement): () => void {
    const pos = (e: PointerEvent): Point => {
      const r = el.getBoundingClientRect();
      return toPage({ x: e.clientX - r.left, y: e.clientY - r.top }, { width: r.width, height: r.height });
    };
    const aspect = () => {
      const r = el.getBoundingClientRect();
      return r.height > 0 ? r.width / r.height : 1;
    };
    const down = (e: PointerEvent) => {
      if (e.button !== 0 || !this.page.writable) return;
      e.preventDefault();
      el.setPointerCapture(e.pointerId);
      this.pressed = true;
      this.start(pos(e), aspect());
    };
    const move = (e: PointerEvent) => {
      if (!this.page.writable) return;
      const tool = this.settings().tool;
      if (tool === 'laser') {
        this.page.pointLaser(pos(e));
        return;
      }
      if (!this.pressed) return;
      // Coalesced events keep fast strokes smooth where the browser merged pointer moves.
      const events = tool === 'pen' || tool === 'highlighter' ? e.getCoalescedEvents() : [];
      for (const ev of events.length > 0 ? events : [e]) this.moveTo(pos(ev), aspect());
    };
    const up = (e: PointerEvent) => {
      if (!this.pressed) return;
      this.pressed = false;
      this.finish(pos(e));
    };
    const leave = () => {
      if (this.settings().tool === 'laser') this.page.pointLaser(null);
    };
    // Ctrl/Cmd+Z undoes, with Shift (or Ctrl+Y) redoes, unless a text field has the keys.
    const key = (e: KeyboardEvent) => {
      const t = e.target instanceof HTMLElement ? e.target : undefined;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      if (!(e.ctrlKey || e.metaKey)) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) this.page.ink.undo();
      else if (k === 'z' || k === 'y') this.page.ink.redo();
      else return;
      e.preventDefault();
    };
    const win = el.ownerDocument.defaultView;
    el.addEventListener('pointerdown', down);
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
    el.addEventListener('pointerleave', leave);
    win?.addEventListener('keydown', key);
    return () => {
      win?.removeEventListener('keydown', key);
      el.removeEventListener('pointerdown', down);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointercancel', up);
      el.removeEventListener('pointerleave', leave);
      this.page.ink.end();
      this.page.pointLaser(null);
    };
  }

  /** Adds the typed text where the text tool was clicked (nothing when blank). */
  commitText(text: string): void {
    const prompt = this.textPrompt.get();
    this.textPrompt.set(undefined);
    if (!prompt || text.trim() === '' || !this.page.writable) return;
    const { color, width } = this.settings();
    this.page.ink.addText({ color, width: strokeWidth('text', width) }, prompt.at, text);
  }

  cancelText(): void {
    this.textPrompt.set(undefined);
  }

  private start(p: Point, aspect: number): void {
    const { tool, color, width } = this.settings();
    const style = { color, width: strokeWidth(tool, width) };
    if (tool === 'pen' || tool === 'highlighter') this.page.ink.begin(tool, style, p);
    else if (shapeTools.has(tool as InkTool)) {
      this.shapeStart = p;
      this.draft.set({ id: 'draft', tool: tool as InkTool, ...style, points: [p.x, p.y, p.x, p.y], author: '' });
    } else if (tool === 'eraser') {
      this.page.ink.checkpoint();
      this.page.ink.eraseAt(p, eraserRadius, aspect);
    } else if (tool === 'text') this.textPrompt.set({ at: p });
    else this.page.pointLaser(p);
  }

  private moveTo(p: Point, aspect: number): void {
    const { tool } = this.settings();
    if (tool === 'pen' || tool === 'highlighter') this.page.ink.extend(p);
    else if (tool === 'eraser') this.page.ink.eraseAt(p, eraserRadius, aspect);
    else {
      const d = this.draft.get();
      if (d && this.shapeStart) this.draft.set({ ...d, points: [this.shapeStart.x, this.shapeStart.y, p.x, p.y] });
    }
  }

  private finish(p: Point): void {
    const { tool, color, width } = this.settings();
    if (tool === 'pen' || tool === 'highlighter') this.page.ink.end();
    const start = this.shapeStart;
    this.shapeStart = undefined;
    if (this.draft.get() && start) {
      this.draft.set(undefined);
      if (Math.hypot(p.x - start.x, p.y - start.y) >= minShape)
        this.page.ink.addShape(tool as InkTool, { color, width: strokeWidth(tool, width) }, start, p);
    }
  }
}
