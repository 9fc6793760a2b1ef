// Page-normalised geometry for annotation: every coordinate stored in a page document is a
// fraction of the page's width (x) or height (y), so ink lines up at any window size and in
// the server's PDF export. Pure functions only; drawing and Yjs live elsewhere.
import type { InkTool } from '../../proto/InkTool';
import type { Stroke } from '../../proto/Stroke';

export type { InkTool } from '../../proto/InkTool';
export type { Stroke } from '../../proto/Stroke';

/** Tools that draw a two-point shape (start and end). */
export const shapeTools: ReadonlySet<InkTool> = new Set<InkTool>(['line', 'arrow', 'rect', 'ellipse']);

export type Point = { x: number; y: number };
export type Size = { width: number; height: number };

/** A pointer position (relative to the page's top-left, in CSS pixels) as page fractions, clamped to the page. */
export function toPage(p: Point, box: Size): Point {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return { x: clamp(p.x / box.width), y: clamp(p.y / box.height) };
}

/** A page fraction in pixels of a box of this size. */
export function toPixels(p: Point, box: Size): Point {
  return { x: p.x * box.width, y: p.y * box.height };
}

/** The largest box of the page's aspect ratio that fits in `space`, in whole CSS pixels. */
export function fitPage(page: Size, space: Size): Size {
  if (page.width <= 0 || page.height <= 0 || space.width <= 0 || space.height <= 0) return { width: 0, height: 0 };
  const scale = Math.min(space.width / page.width, space.height / page.height);
  return { width: Math.floor(page.width * scale), height: Math.floor(page.height * scale) };
}

/** The points of a flat coordinate list. */
export function pointsOf(flat: readonly number[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ x: flat[i] ?? 0, y: flat[i + 1] ?? 0 });
  return out;
}

function distToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Approximate box of a text mark in page fractions; its `width` is the text height, as a fraction of the page width. */
function textBox(s: Stroke, aspect: number): { x0: number; y0: number; x1: number; y1: number } {
  const [x = 0, y = 0] = s.points;
  const lines = (s.text ?? '').split('\n');
  const longest = Math.max(1, ...lines.map((l) => l.length));
  // An average glyph is about 0.55 of the font size wide; lines are 1.25 font sizes apart.
  return { x0: x, y0: y, x1: x + longest * s.width * 0.55, y1: y + lines.length * s.width * 1.25 * aspect };
}

/**
 * Whether `p` (page fractions, on a page of aspect `aspect` = width/height) touches the
 * stroke within `radius` (a fraction of the page width). Distances are measured in page-width
 * units so a circle on screen stays a circle on a wide page. The eraser deletes whole strokes
 * this hits.
 */
export function hitsStroke(s: Stroke, p: Point, radius: number, aspect: number): boolean {
  // To page-width units: y scaled by height/width.
  const u = (q: Point): Point => ({ x: q.x, y: q.y / aspect });
  const pu = u(p);
  const reach = radius + s.width / 2;
  const pts = pointsOf(s.points).map(u);
  const [a, b] = pts;
  if (!a) return false;
  switch (s.tool) {
    case 'text': {
      const box = textBox(s, aspect);
      const ry = radius * aspect; // the radius in height fractions
      return p.x >= box.x0 - radius && p.x <= box.x1 + radius && p.y >= box.y0 - ry && p.y <= box.y1 + ry;
    }
    case 'rect': {
      if (!b) return false;
      const c = { x: b.x, y: a.y };
      const d = { x: a.x, y: b.y };
      return [
        [a, c],
        [c, b],
        [b, d],
        [d, a],
      ].some(([m, n]) => m && n && distToSegment(pu, m, n) <= reach);
    }
    case 'ellipse': {
      if (!b) return false;
      const cx = (a.x + b.x) / 2;
      const cy = (a.y + b.y) / 2;
      const rx = Math.abs(b.x - a.x) / 2;
      const ry = Math.abs(b.y - a.y) / 2;
      // Sample the outline: exact distance to an ellipse has no closed form, and 64 chords
      // are within a hair of it at any size the eye can tell apart.
      const outline: Point[] = [];
      for (let i = 0; i <= 64; i++) {
        const t = (i / 64) * 2 * Math.PI;
        outline.push({ x: cx + rx * Math.cos(t), y: cy + ry * Math.sin(t) });
      }
      return polylineWithin(outline, pu, reach);
    }
    default:
      return polylineWithin(pts, pu, reach);
  }
}

function polylineWithin(pts: Point[], p: Point, reach: number): boolean {
  if (pts.length === 1) return pts[0] !== undefined && Math.hypot(p.x - pts[0].x, p.y - pts[0].y) <= reach;
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i];
    const b = pts[i + 1];
    if (a && b && distToSegment(p, a, b) <= reach) return true;
  }
  return false;
}

/** The two barbs of an arrow head at `to`, pointing away from `from` (any consistent units). */
export function arrowHead(from: Point, to: Point, length: number): [Point, Point] {
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  const spread = Math.PI / 7;
  return [
    { x: to.x - length * Math.cos(angle - spread), y: to.y - length * Math.sin(angle - spread) },
    { x: to.x - length * Math.cos(angle + spread), y: to.y - length * Math.sin(angle + spread) },
  ];
}
