// A page's ink layer as this participant sees it: the shared document, the ink model over
// it, and everyone else's laser pointer from awareness. The Annotator opens one for the
// page on screen and destroys it when the page changes; React reads `store`.
import { Store } from '../../lib/store';
import type { Point, Stroke } from './geometry';
import { InkModel } from './inkModel';
import { Pacer } from './pacer';
import type { LaserDot } from './render';
import { SharedDoc, type DocStatus, type SharedDocOptions } from './sharedDoc';

/** The laser is published at most 10 times a second (the server drops more). */
export const laserIntervalMs = 100;

export type PageState = {
  status: DocStatus;
  strokes: readonly Stroke[];
  lasers: readonly LaserDot[];
  canUndo: boolean;
  canRedo: boolean;
};

/** Someone's laser position from their awareness state, if it holds a valid one. */
export function laserOf(state: unknown): { x: number; y: number; color: string } | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const laser = (state as { laser?: unknown }).laser;
  if (typeof laser !== 'object' || laser === null) return undefined;
  const { x, y, color } = laser as { x?: unknown; y?: unknown; color?: unknown };
  if (typeof x !== 'number' || typeof y !== 'number' || !(x >= 0 && x <= 1 && y >= 0 && y <= 1)) return undefined;
  return { x, y, color: typeof color === 'string' && /^#[0-9a-fA-F]{6}$/.test(color) ? color : '#ef4444' };
}

export class PageConnection {
  readonly shared: SharedDoc;
  readonly ink: InkModel;
  readonly store: Store<PageState>;
  private readonly laser: Pacer<Point | null>;
  private readonly cleanups: (() => void)[] = [];

  constructor(opts: SharedDocOptions & { author: string; laserColor: string }) {
    this.shared = new SharedDoc(opts);
    this.ink = new InkModel(this.shared.doc, opts.author);
    this.store = new Store<PageState>({
      status: 'connecting',
      strokes: [],
      lasers: [],
      canUndo: false,
      canRedo: false,
    });
    const awareness = this.shared.provider.awareness;
    // Nobody's presence is published until they point the laser (see sharedDoc.ts).
    this.laser = new Pacer<Point | null>(
      laserIntervalMs,
      (_, latest) => latest,
      (p) => {
        awareness.setLocalState(p ? { laser: { x: p.x, y: p.y, color: opts.laserColor } } : null);
      },
    );
    const update = (patch: Partial<PageState>) => {
      this.store.set({ ...this.store.get(), ...patch });
    };
    const onAwareness = () => {
      const lasers: LaserDot[] = [];
      for (const [key, state] of awareness.getStates()) {
        const l = key === this.shared.doc.clientID ? undefined : laserOf(state);
        if (l) lasers.push({ key, ...l });
      }
      update({ lasers });
    };
    awareness.on('change', onAwareness);
    this.cleanups.push(
      () => {
        awareness.off('change', onAwareness);
      },
      this.ink.onChange(() => {
        update({ strokes: this.ink.strokes() });
      }),
      this.ink.onHistory(() => {
        update({ canUndo: this.ink.canUndo(), canRedo: this.ink.canRedo() });
      }),
      this.shared.store.subscribe(() => {
        update({ status: this.shared.store.get().status });
      }),
    );
  }

  /** The y-websocket room of this ink layer. */
  get name(): string {
    return this.shared.opts.name;
  }

  get writable(): boolean {
    return this.shared.writable;
  }

  /** Moves this participant's laser dot (page fractions), or hides it with null. */
  pointLaser(p: Point | null): void {
    if (!this.writable) return;
    this.laser.offer(p);
    if (p === null) this.laser.flush();
  }

  destroy(): void {
    this.laser.cancel();
    for (const c of this.cleanups) c();
    this.ink.destroy();
    this.shared.destroy();
  }
}
