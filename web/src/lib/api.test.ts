// Tests of the REST client's success and problem+json handling.
import { describe, expect, it } from 'vitest';
import { Api, ApiError, problemText, problemTypes, type FetchLike } from './api';

function respond(status: number, body?: unknown, contentType = 'application/json'): FetchLike {
  return () =>
    Promise.resolve(
      new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: body === undefined ? {} : { 'content-type': contentType },
      }),
    );
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

describe('Api', () => {
  it('sends JSON with the session cookie and parses the answer', async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const api = new Api((url, init) => {
      calls.push({ url, init });
      return Promise.resolve(Response.json({ token: 't', meeting: 'm', role: 'attendee', expires_at: 'x' }));
    });
    const res = await api.join('k/1', { display_name: 'Ann' });
    expect(res.token).toBe('t');
    expect(calls[0]?.url).toBe('/api/v1/links/k%2F1/join');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(calls[0]?.init?.credentials).toBe('same-origin');
    expect(calls[0]?.init?.body).toBe('{"display_name":"Ann"}');
  });

  it('resolves 204 to undefined', async () => {
    await expect(new Api(respond(204)).logout()).resolves.toBeUndefined();
  });

  it('turns problem+json into an ApiError with title and detail', async () => {
    const api = new Api(
      respond(
        403,
        { type: problemTypes.wrongPasscode, title: 'Wrong passcode', status: 403, detail: 'Check the invitation.' },
        'application/problem+json',
      ),
    );
    const e = await failure(api.join('k', { passcode: 'nope' }));
    expect(e.status).toBe(403);
    expect(e.problem.title).toBe('Wrong passcode');
    expect(e.problem.detail).toBe('Check the invitation.');
    expect(e.is(problemTypes.wrongPasscode)).toBe(true);
    expect(e.message).toBe('Wrong passcode: Check the invitation.');
  });

  it('matches problem types by their slug', async () => {
    const api = new Api(
      respond(
        403,
        { type: 'urn:confab:problem:wrong-passcode', title: 'Wrong', status: 403 },
        'application/problem+json',
      ),
    );
    const e = await failure(api.linkInfo('k'));
    expect(e.is(problemTypes.wrongPasscode)).toBe(true);
    expect(e.is('https://confab.dev/problems/wrong-passcode')).toBe(true);
    expect(e.is(problemTypes.signInRequired)).toBe(false);
  });

  it('reads the field of an invalid-input problem from its detail', async () => {
    const api = new Api(
      respond(
        422,
        {
          type: 'urn:confab:problem:invalid-input',
          title: 'Invalid time_zone',
          status: 422,
          detail: 'time_zone: unknown time zone "Mars/Base"',
        },
        'application/problem+json',
      ),
    );
    const e = await failure(api.createMeeting({} as never));
    expect(e.field).toBe('time_zone');
    expect(e.fieldMessage).toBe('Unknown time zone "Mars/Base".');
  });

  it('keeps an optional field member for inline validation messages', async () => {
    const api = new Api(
      respond(
        422,
        { type: 'about:blank', title: 'End must be after start', status: 422, field: 'end' },
        'application/problem+json',
      ),
    );
    const e = await failure(api.createMeeting({} as never));
    expect(e.field).toBe('end');
  });

  it('falls back to a readable title when the error body is not a problem', async () => {
    const e = await failure(new Api(respond(502, '<html>Bad gateway</html>', 'text/html')).listMeetings());
    expect(e.status).toBe(502);
    expect(e.problem.title).toMatch(/server had a problem/);
  });

  it('falls back when a JSON error body is malformed', async () => {
    const e = await failure(new Api(respond(404, '{oops', 'application/problem+json')).getMeeting('x'));
    expect(e.status).toBe(404);
    expect(e.problem.title).toBe('Not found');
  });

  it('reports a network failure as status 0', async () => {
    const e = await failure(new Api(() => Promise.reject(new TypeError('Failed to fetch'))).listMeetings());
    expect(e.status).toBe(0);
    expect(e.problem.title).toBe('Cannot reach the server');
  });

  it('maps 401 on /me to null (signed out)', async () => {
    await expect(
      new Api(respond(401, { type: 'about:blank', title: 'Sign in', status: 401 })).me(),
    ).resolves.toBeNull();
  });
});

describe('session expiry and problem text', () => {
  it('tells the app when a signed-in request gets 401, but not for /me or login', async () => {
    let expired = 0;
    const api = new Api(respond(401, { type: 'about:blank', title: 'Sign in', status: 401 }));
    api.onUnauthorized = () => expired++;
    await failure(api.listMeetings());
    expect(expired).toBe(1);
    await api.me();
    await failure(api.login({ email: 'a@b.c', password: 'x' }));
    expect(expired).toBe(1);
  });

  it('joins title and detail into one sentence', () => {
    expect(problemText(new ApiError({ type: 't', title: 'Wrong passcode', status: 403, detail: 'Check it.' }))).toBe(
      'Wrong passcode. Check it.',
    );
    expect(problemText(new ApiError({ type: 't', title: 'Nope.', status: 400 }))).toBe('Nope.');
  });
});
