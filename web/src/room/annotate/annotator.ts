// The stage's shared-page state for one participant: the connection to the ink layer of
// the page on screen (and a text page's rich text), opened when a page is shown and closed
// when it goes; its pointer tools; and the tool settings, which outlive page changes.
// React says which page is visible and what this participant may write; it reconnects
// when any of that changes, because the server decides read-only at connect time.
import { Store } from '../../lib/store';
import { PageConnection } from './pageConnection';
import { SharedDoc, wsOriginOf } from './sharedDoc';
import { PointerTools, defaultTools, type ToolSettings } from './tools';

export type VisiblePage = {
  /** The ink layer's document name (PageInfo.collab). */
  ink: string;
  /** A text page's rich-text document name (PageInfo.text). */
  text?: string | undefined;
  /** May draw (presenters; attendees with the annotate permission). */
  mayDraw: boolean;
  /** May type on text pages (presenters). */
  mayType: boolean;
  author: string;
  laserColor: string;
};

export type OpenPage = { key: string; connection: PageConnection; pointer: PointerTools; text?: SharedDoc | undefined };

function keyOf(p: VisiblePage): string {
  return [p.ink, p.text ?? '', p.mayDraw, p.mayType, p.author].join('|');
}

export class Annotator {
  readonly current = new Store<OpenPage | undefined>(undefined);
  readonly tools = new Store<ToolSettings>(defaultTools);

  constructor(
    private readonly meeting: string,
    private readonly token: string,
    private readonly wsOrigin: string = wsOriginOf(),
  ) {}

  /** Connects to the page now visible (nothing when that page is already open as asked). */
  show(page: VisiblePage | undefined): void {
    const key = page ? keyOf(page) : '';
    const before = this.current.get();
    if (before?.key === key) return;
    before?.connection.destroy();
    before?.text?.destroy();
    if (!page) {
      this.current.set(undefined);
      return;
    }
    const base = { wsOrigin: this.wsOrigin, meeting: this.meeting, token: this.token };
    const connection = new PageConnection({
      ...base,
      name: page.ink,
      writable: page.mayDraw,
      author: page.author,
      laserColor: page.laserColor,
    });
    const text = page.text ? new SharedDoc({ ...base, name: page.text, writable: page.mayType }) : undefined;
    this.current.set({ key, connection, pointer: new PointerTools(connection, () => this.tools.get()), text });
  }

  setTools(patch: Partial<ToolSettings>): void {
    this.tools.set({ ...this.tools.get(), ...patch });
  }

  dispose(): void {
    this.show(undefined);
  }
}
