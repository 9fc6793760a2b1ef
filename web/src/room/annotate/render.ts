// Paints a page's ink on a canvas: page fractions → pixels at the canvas's CSS size, sharp
// at any devicePixelRatio. The highlighter is translucent, arrows get heads, text uses a
// font whose height is the mark's width (as in the PDF export). Framework-free: React only
// creates the canvas and says when its size changes.
import { arrowHead, pointsOf, toPixels, type Point, type Size, type Stroke } from './geometry';

/** Another participant's laser pointer, in page fractions. */
export type LaserDot = { key: number; x: number; y: number; color: string };

export type Scene = { strokes: readonly Stroke[]; draft?: Stroke | undefined; lasers: readonly LaserDot[] };

export const highlighterAlpha = 0.35;

/** The 2D-context members the painter uses (a recording fake can stand in for tests). */
export type Ctx = Pick<
  CanvasRenderingContext2D,
  | 'save'
  | 'restore'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'quadraticCurveTo'
  | 'stroke'
  | 'fill'
  | 'arc'
  | 'ellipse'
  | 'rect'
  | 'fillText'
  | 'clearRect'
  | 'setTransform'
> & {
  strokeStyle: CanvasRenderingContext2D['strokeStyle'];
  fillStyle: CanvasRenderingContext2D['fillStyle'];
  lineWidth: number;
  lineCap: CanvasLineCap;
  lineJoin: CanvasLineJoin;
  globalAlpha: number;
  font: string;
  textBaseline: CanvasTextBaseline;
};

/** Paints the scene on a context whose units are CSS pixels of a `size` page. */
export function paint(ctx: Ctx, scene: Scene, size: Size): void {
  ctx.clearRect(0, 0, size.width, size.height);
  for (const s of scene.strokes) paintStroke(ctx, s, size);
  if (scene.draft) paintStroke(ctx, scene.draft, size);
  for (const l of scene.lasers) paintLaser(ctx, l, size);
}

function paintStroke(ctx: Ctx, s: Stroke, size: Size): void {
  const pts = pointsOf(s.points).map((p) => toPixels(p, size));
  const [a, b] = pts;
  if (!a) return;
  ctx.save();
  ctx.strokeStyle = s.color;
  ctx.fillStyle = s.color;
  ctx.lineWidth = Math.max(1, s.width * size.width);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  if (s.tool === 'highlighter') ctx.globalAlpha = highlighterAlpha;
  ctx.beginPath();
  switch (s.tool) {
    case 'pen':
    case 'highlighter':
      freehand(ctx, pts);
      break;
    case 'line':
    case 'arrow':
      if (!b) break;
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      if (s.tool === 'arrow') {
        const [l, r] = arrowHead(a, b, Math.max(4 * ctx.lineWidth, 0.015 * size.width));
        ctx.moveTo(l.x, l.y);
        ctx.lineTo(b.x, b.y);
        ctx.lineTo(r.x, r.y);
      }
      ctx.stroke();
      break;
    case 'rect':
      if (!b) break;
      ctx.rect(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(b.x - a.x), Math.abs(b.y - a.y));
      ctx.stroke();
      break;
    case 'ellipse':
      if (!b) break;
      ctx.ellipse(
        (a.x + b.x) / 2,
        (a.y + b.y) / 2,
        Math.abs(b.x - a.x) / 2,
        Math.abs(b.y - a.y) / 2,
        0,
        0,
        2 * Math.PI,
      );
      ctx.stroke();
      break;
    case 'text': {
      const px = s.width * size.width; // a text mark's width is its height
      ctx.font = `${px}px sans-serif`;
      ctx.textBaseline = 'top';
      (s.text ?? '').split('\n').forEach((line, i) => {
        ctx.fillText(line, a.x, a.y + i * px * 1.25);
      });
      break;
    }
  }
  ctx.restore();
}

/** A smooth line through the points (quadratic curves via midpoints); a single point is a dot. */
function freehand(ctx: Ctx, pts: Point[]): void {
  const [first] = pts;
  if (!first) return;
  if (pts.length === 1) {
    ctx.arc(first.x, first.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  ctx.moveTo(first.x, first.y);
  for (let i = 1; i < pts.length - 1; i++) {
    const p = pts[i];
    const q = pts[i + 1];
    if (p && q) ctx.quadraticCurveTo(p.x, p.y, (p.x + q.x) / 2, (p.y + q.y) / 2);
  }
  const last = pts[pts.length - 1];
  if (last) ctx.lineTo(last.x, last.y);
  ctx.stroke();
}

function paintLaser(ctx: Ctx, l: LaserDot, size: Size): void {
  const p = toPixels(l, size);
  const r = Math.max(4, 0.006 * size.width);
  ctx.save();
  ctx.fillStyle = l.color;
  ctx.globalAlpha = 0.3;
  ctx.beginPath();
  ctx.arc(p.x, p.y, r * 2, 0, 2 * Math.PI);
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.restore();
}

/**
 * Keeps a canvas's backing store at its CSS size × devicePixelRatio and repaints at most
 * once per animation frame, however many changes arrive.
 */
export class InkCanvas {
  private size: Size = { width: 0, height: 0 };
  private dpr = 1;
  private frame: number | undefined;
  private scene: Scene = { strokes: [], lasers: [] };

  constructor(private readonly canvas: HTMLCanvasElement) {}

  resize(size: Size, dpr: number): void {
    this.size = size;
    this.canvas.width = Math.round(size.width * dpr);
    this.canvas.height = Math.round(size.height * dpr);
    this.dpr = dpr;
    this.schedule();
  }

  show(scene: Scene): void {
    this.scene = scene;
    this.schedule();
  }

  dispose(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      const ctx = this.canvas.getContext('2d');
      if (!ctx || this.size.width === 0) return;
      ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      paint(ctx, this.scene, this.size);
    });
  }
}
