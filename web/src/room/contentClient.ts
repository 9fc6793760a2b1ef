// Documents over HTTP for one participant: uploading, and page images as object URLs.
// Page requests carry the join token (guests have no session cookie), so images are
// fetched here and handed to <img> as blob: URLs, which the CSP allows. No React here.
import type { DocumentInfo } from '../proto/DocumentInfo';
import { problemFromResponse, type FetchLike } from '../lib/api';

export type PageSize = 'large' | 'medium' | 'thumb';

/** Object URLs kept at once; older ones are revoked. */
const cacheLimit = 24;

export class ContentClient {
  private readonly urls = new Map<string, Promise<string>>();

  constructor(
    private readonly meeting: string,
    private readonly token: string,
    private readonly fetchFn: FetchLike = (input, init) => fetch(input, init),
  ) {}

  private base(): string {
    return `/api/v1/meetings/${encodeURIComponent(this.meeting)}/documents`;
  }

  /** Uploads a file; it converts on the server and its pages arrive as room events. */
  async upload(file: File): Promise<DocumentInfo> {
    const res = await this.fetchFn(`${this.base()}?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream' },
      body: file,
    });
    if (!res.ok) throw await problemFromResponse(res);
    return (await res.json()) as DocumentInfo;
  }

  /** An object URL of a page image (fetched once, then cached). */
  pageUrl(document: string, page: number, size: PageSize): Promise<string> {
    const key = `${document}/${page}/${size}`;
    const cached = this.urls.get(key);
    if (cached) {
      this.urls.delete(key);
      this.urls.set(key, cached); // most recently used last
      return cached;
    }
    const url = this.fetchPage(document, page, size);
    this.urls.set(key, url);
    url.catch(() => this.urls.delete(key));
    this.evict();
    return url;
  }

  private async fetchPage(document: string, page: number, size: PageSize): Promise<string> {
    const path = `${this.base()}/${encodeURIComponent(document)}/pages/${page}/${size}`;
    const res = await this.fetchFn(path, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw await problemFromResponse(res);
    return URL.createObjectURL(await res.blob());
  }

  private evict(): void {
    while (this.urls.size > cacheLimit) {
      const [oldest] = this.urls.keys();
      if (oldest === undefined) return;
      const url = this.urls.get(oldest);
      this.urls.delete(oldest);
      void url?.then(
        (u) => URL.revokeObjectURL(u),
        () => undefined,
      );
    }
  }

  /** A document's speaker notes by page index (presenters only). */
  async notes(document: string): Promise<Record<string, string>> {
    const res = await this.fetchFn(`${this.base()}/${encodeURIComponent(document)}/notes`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!res.ok) throw await problemFromResponse(res);
    return (await res.json()) as Record<string, string>;
  }

  /**
   * The document with its annotations as a PDF (for presenters, and attendees with the
   * export permission; others get a 403 problem).
   */
  async exportPdf(document: string): Promise<Blob> {
    const res = await this.fetchFn(`${this.base()}/${encodeURIComponent(document)}/export`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!res.ok) throw await problemFromResponse(res);
    return res.blob();
  }

  /** Frees every object URL. */
  dispose(): void {
    for (const url of this.urls.values())
      void url.then(
        (u) => URL.revokeObjectURL(u),
        () => undefined,
      );
    this.urls.clear();
  }
}
