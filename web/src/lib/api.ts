// The REST client for /api/v1: typed calls, and errors as Problem (RFC 9457).
// Every failure, including a network failure or a non-JSON error page, becomes an
// ApiError carrying a Problem whose `title` (and `detail`) can be shown to users.
import type { JoinRequest } from '../proto/JoinRequest';
import type { JoinResponse } from '../proto/JoinResponse';
import type { LinkInfo } from '../proto/LinkInfo';
import type { LoginRequest } from '../proto/LoginRequest';
import type { Me } from '../proto/Me';
import type { MeetNow } from '../proto/MeetNow';
import type { MeetingInput } from '../proto/MeetingInput';
import type { MeetingView } from '../proto/MeetingView';
import type { Problem } from '../proto/Problem';
import { problemTypes } from '../proto/contracts';
import type { CreateUser } from '../proto/CreateUser';
import type { Policy } from '../proto/Policy';
import type { ChangePassword } from '../proto/ChangePassword';
import type { UpdateUser } from '../proto/UpdateUser';
import type { UserView } from '../proto/UserView';

/**
 * Problem `type`s (generated from the server's list); the client reacts to a few
 * specifically and shows everything else as is. Matching is on the slug.
 */
export { problemTypes };

/** The last segment of a problem type URI (after the last `/` or `:`). */
export function problemSlug(type: string): string {
  const parts = type.split(/[/:]/);
  return parts[parts.length - 1] ?? type;
}

/** The server phrases field errors as detail `"<field>: <message>"`. */
const fieldDetail = /^([a-z_][a-z0-9_.]*): (.+)$/;

export class ApiError extends Error {
  readonly problem: Problem;
  /** The request field the problem is about (wire name, e.g. `time_zone`), if any. */
  readonly field: string | undefined;
  /** What is wrong with that field, as a sentence. */
  readonly fieldMessage: string | undefined;

  constructor(problem: Problem, field?: string) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
    this.problem = problem;
    const parsed = problem.detail ? fieldDetail.exec(problem.detail) : null;
    this.field = field ?? parsed?.[1];
    this.fieldMessage = this.field ? sentence(parsed?.[2] ?? problem.detail ?? problem.title) : undefined;
  }

  get status(): number {
    return this.problem.status;
  }

  /** Whether this is the named problem type (compared by slug). */
  is(type: string): boolean {
    return this.problem.type === type || problemSlug(this.problem.type) === problemSlug(type);
  }
}

function sentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** A title to show when the server sent no usable problem body. */
function fallbackTitle(status: number): string {
  if (status === 401) return 'Please sign in';
  if (status === 403) return 'You are not allowed to do that';
  if (status === 404) return 'Not found';
  if (status === 409) return 'That conflicts with a change made elsewhere';
  if (status === 410) return 'This is no longer available';
  if (status === 413) return 'That is too large';
  if (status === 429) return 'Too many requests; please wait a moment';
  if (status >= 500) return 'The server had a problem; please try again';
  return 'The request failed';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Turn a failed response into an ApiError, tolerating bodies that are not problem+json. */
export async function problemFromResponse(res: Response): Promise<ApiError> {
  let body: unknown = undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
  }
  if (isRecord(body) && typeof body.title === 'string') {
    const problem: Problem = {
      type: typeof body.type === 'string' ? body.type : 'about:blank',
      title: body.title,
      status: typeof body.status === 'number' ? body.status : res.status,
    };
    if (typeof body.detail === 'string' && body.detail !== '') problem.detail = body.detail;
    const field = typeof body.field === 'string' ? body.field : undefined;
    return new ApiError(problem, field);
  }
  return new ApiError({ type: 'about:blank', title: fallbackTitle(res.status), status: res.status });
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class Api {
  private readonly fetchImpl: FetchLike;
  private readonly base: string;
  /** Called when a request other than sign-in or /me gets 401: the session has expired. */
  onUnauthorized: (() => void) | undefined;

  constructor(fetchImpl: FetchLike = (input, init) => fetch(input, init), base = '/api/v1') {
    this.fetchImpl = fetchImpl;
    this.base = base;
  }

  /** Send a request; resolve to the JSON body (or undefined for 204), reject with ApiError. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const init: RequestInit = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, init);
    } catch {
      throw new ApiError({
        type: 'about:blank',
        title: 'Cannot reach the server',
        status: 0,
        detail: 'Check your connection and try again.',
      });
    }
    if (!res.ok) {
      if (res.status === 401 && path !== '/me' && path !== '/auth/login') this.onUnauthorized?.();
      throw await problemFromResponse(res);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError({ type: 'about:blank', title: 'The server sent an unreadable answer', status: res.status });
    }
  }

  login(req: LoginRequest): Promise<Me> {
    return this.request('POST', '/auth/login', req);
  }
  logout(): Promise<void> {
    return this.request('POST', '/auth/logout');
  }
  /** The signed-in account, or null when not signed in (401). */
  async me(): Promise<Me | null> {
    try {
      return await this.request<Me>('GET', '/me');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  }

  listMeetings(): Promise<MeetingView[]> {
    return this.request('GET', '/meetings');
  }
  createMeeting(input: MeetingInput): Promise<MeetingView> {
    return this.request('POST', '/meetings', input);
  }
  meetNow(req: MeetNow): Promise<MeetingView> {
    return this.request('POST', '/meetings/now', req);
  }
  getMeeting(id: string): Promise<MeetingView> {
    return this.request('GET', `/meetings/${encodeURIComponent(id)}`);
  }
  updateMeeting(id: string, input: MeetingInput): Promise<MeetingView> {
    return this.request('PUT', `/meetings/${encodeURIComponent(id)}`, input);
  }
  cancelMeeting(id: string): Promise<MeetingView> {
    return this.request('POST', `/meetings/${encodeURIComponent(id)}/cancel`);
  }
  rotateLinks(id: string): Promise<MeetingView> {
    return this.request('POST', `/meetings/${encodeURIComponent(id)}/rotate-links`);
  }

  listUsers(): Promise<UserView[]> {
    return this.request('GET', '/users');
  }
  createUser(req: CreateUser): Promise<UserView> {
    return this.request('POST', '/users', req);
  }
  /** An administrator's change: name, role, or a new password (which signs the user out). */
  updateUser(id: string, req: UpdateUser): Promise<UserView> {
    return this.request('PATCH', `/users/${encodeURIComponent(id)}`, req);
  }
  /** Your own new password; the current one proves it is you. */
  changePassword(req: ChangePassword): Promise<void> {
    return this.request('POST', '/me/password', req);
  }
  getPolicy(tenant: string): Promise<Policy> {
    return this.request('GET', `/tenants/${encodeURIComponent(tenant)}/policy`);
  }
  setPolicy(tenant: string, policy: Policy): Promise<Policy> {
    return this.request('PUT', `/tenants/${encodeURIComponent(tenant)}/policy`, policy);
  }

  linkInfo(key: string): Promise<LinkInfo> {
    return this.request('GET', `/links/${encodeURIComponent(key)}`);
  }
  join(key: string, req: JoinRequest): Promise<JoinResponse> {
    return this.request('POST', `/links/${encodeURIComponent(key)}/join`, req);
  }
}

/** Download URLs (plain links: the session cookie authenticates them). */
export const downloads = {
  invite: (id: string) => `/api/v1/meetings/${encodeURIComponent(id)}/invite.ics`,
  chat: (id: string, format: 'text' | 'json') => `/api/v1/meetings/${encodeURIComponent(id)}/chat?format=${format}`,
};

/** The app-wide client. */
export const api = new Api();

/** One line for users: the problem's title, then its detail. */
export function problemText(e: unknown): string {
  const { title, detail } = errorMessage(e);
  if (!detail) return title;
  return /[.!?]$/.test(title) ? `${title} ${detail}` : `${title}. ${detail}`;
}

/** A message for users from any thrown value. */
export function errorMessage(e: unknown): { title: string; detail?: string } {
  if (e instanceof ApiError) {
    return e.problem.detail ? { title: e.problem.title, detail: e.problem.detail } : { title: e.problem.title };
  }
  return { title: 'Something went wrong', detail: e instanceof Error ? e.message : String(e) };
}
