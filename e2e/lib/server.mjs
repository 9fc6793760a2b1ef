// Runs the real `confab` binary for a test file: a fresh data directory, a port of its
// own, stdout parsed for the URL and the first administrator's password, stderr kept
// in e2e/artifacts/. Plus a small REST client for set-up steps that are not the point
// of a test (creating users and meetings), signed in with the session cookie.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const e2eDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(e2eDir, '..');
export const artifactsDir = join(e2eDir, 'artifacts');

const startTimeoutMs = 20_000;
const stopTimeoutMs = 10_000;

/** The binary under test: $CONFAB_BIN, else the debug build. */
export function confabBin() {
  const bin = process.env.CONFAB_BIN ?? join(repoDir, 'target', 'debug', 'confab');
  if (!existsSync(bin)) {
    throw new Error(`No confab binary at ${bin}: run \`cargo build -p confab-server\` or set CONFAB_BIN.`);
  }
  return bin;
}

/** A TCP port that was free a moment ago (for tests that must restart on the same port). */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** A file-system-safe version of a name, for artifact files. */
export function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/**
 * Starts `confab serve` on 127.0.0.1 (port 0 = any free port) with a fresh data directory.
 * `name` labels the stderr log in e2e/artifacts/; `config` is TOML for a config file.
 */
export async function startServer({ name = 'server', port = 0, config } = {}) {
  mkdirSync(artifactsDir, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'confab-e2e-'));
  let configFile;
  if (config !== undefined) {
    configFile = join(dataDir, 'confab.toml');
    await writeFile(configFile, config);
  }
  const server = new ConfabServer({ name, port, dataDir, configFile });
  try {
    await server.start();
  } catch (e) {
    await server.stop().catch(() => undefined);
    throw e;
  }
  return server;
}

class ConfabServer {
  constructor({ name, port, dataDir, configFile }) {
    this.name = name;
    this.configFile = configFile;
    this.port = port;
    this.dataDir = dataDir;
    this.stderrPath = join(artifactsDir, `${slug(name)}.server.log`);
    this.stderr = createWriteStream(this.stderrPath, { flags: 'w' });
    this.child = undefined;
    this.exited = undefined;
    this.origin = undefined;
    /** `{ email, password }` of the administrator created on first start. */
    this.admin = undefined;
    this.starts = 0;
  }

  /** Spawns the binary and resolves once it prints where it serves. */
  async start() {
    const listen = `127.0.0.1:${this.port}`;
    const args = ['serve', '--listen', listen, '--data', this.dataDir];
    if (this.configFile) args.push('--config', this.configFile);
    const child = spawn(confabBin(), args, {
      cwd: repoDir,
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info,sqlx=warn', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    this.stderr.write(`\n===== start #${this.starts}: confab serve --listen ${listen} =====\n`);
    child.stderr.on('data', (chunk) => this.stderr.write(chunk));
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => resolveExit({ code, signal }));
    });

    let stdout = '';
    const ready = new Promise((resolveReady, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`confab did not report its URL within ${startTimeoutMs} ms; stdout so far:\n${stdout}`));
      }, startTimeoutMs);
      const check = () => {
        const url = /Confab is serving at (http:\/\/\S+)/.exec(stdout)?.[1];
        const email = /^\s+e-mail:\s+(\S+)\s*$/m.exec(stdout)?.[1];
        const password = /^\s+password:\s+(\S+)\s*$/m.exec(stdout)?.[1];
        // The first start prints the administrator after the URL; wait for the whole block.
        const firstStartPending = /First start/.test(stdout) && !(email && password);
        if (url && !firstStartPending && (this.admin || (email && password) || this.starts > 1)) {
          clearTimeout(timer);
          if (email && password) this.admin = { email, password };
          resolveReady(url);
        }
      };
      child.stdout.on('data', (chunk) => {
        stdout += chunk.toString();
        this.stderr.write(chunk);
        check();
      });
      this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`confab exited early (code ${code}, signal ${signal}); see ${this.stderrPath}`));
      });
    });
    const url = await ready;
    this.origin = new URL(url).origin;
    this.port = Number(new URL(url).port);
    if (!this.admin) throw new Error('confab did not print the first administrator');
    return this;
  }

  /** SIGTERM, then wait for the process to exit (SIGKILL if it will not). */
  async terminate() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((r) => {
      timer = setTimeout(() => r('timeout'), stopTimeoutMs);
    });
    const outcome = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.stderr.write(`\n===== did not exit within ${stopTimeoutMs} ms of SIGTERM; killing =====\n`);
      child.kill('SIGKILL');
      await this.exited;
    }
    const { code, signal } = await this.exited;
    this.stderr.write(`\n===== exited: code ${code}, signal ${signal} =====\n`);
  }

  /** Stops and starts again on the same data directory and port. */
  async restart() {
    await this.terminate();
    await this.start();
  }

  /** Stops for good and deletes the data directory. */
  async stop() {
    await this.terminate();
    await new Promise((r) => this.stderr.end(r));
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** An absolute URL on this server. */
  url(path = '/') {
    return new URL(path, this.origin).toString();
  }

  /** A REST client signed in as `email` (the administrator by default). */
  async signIn(email = this.admin.email, password = this.admin.password) {
    const client = new ApiClient(this.origin);
    await client.post('/api/v1/auth/login', { email, password });
    if (!client.session) throw new Error(`signing in as ${email} set no session cookie`);
    return client;
  }
}

/** fetch() with the session cookie; throws on any non-2xx answer with the problem body. */
export class ApiClient {
  constructor(origin) {
    this.origin = origin;
    this.session = undefined;
  }

  async request(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.session) headers.cookie = `confab_session=${this.session}`;
    const res = await fetch(new URL(path, this.origin), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of res.headers.getSetCookie()) {
      const m = /^confab_session=([^;]*)/.exec(c);
      if (m) this.session = m[1] || undefined;
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body = {}) {
    return this.request('POST', path, body);
  }

  put(path, body) {
    return this.request('PUT', path, body);
  }

  /** The session cookie, for a browser context (`context.addCookies`). */
  cookies() {
    const { hostname } = new URL(this.origin);
    return [{ name: 'confab_session', value: this.session, domain: hostname, path: '/', httpOnly: true }];
  }

  /** POST /users: `role` is 'organizer' or 'member'. */
  createUser({ email, name, role = 'organizer', password }) {
    return this.post('/api/v1/users', { email, name, role, password });
  }

  /** POST /meetings with sensible defaults: starts in an hour, UTC, lobby and guests on. */
  createMeeting(input) {
    const { start, end } = slotFromNow(60, 60);
    return this.post('/api/v1/meetings', {
      description: '',
      start,
      end,
      time_zone: 'UTC',
      lobby: true,
      allow_guests: true,
      wait_for_presenter: true,
      presenters: [],
      ...input,
    });
  }
}

/** Wall-clock `YYYY-MM-DDTHH:MM` in UTC, `inMinutes` from now, lasting `minutes`. */
export function slotFromNow(inMinutes, minutes) {
  const fmt = (d) => d.toISOString().slice(0, 16);
  const start = new Date(Date.now() + inMinutes * 60_000);
  start.setUTCSeconds(0, 0);
  return { start: fmt(start), end: fmt(new Date(start.getTime() + minutes * 60_000)) };
}

/** The path of a join link (`/j/<key>`), whatever host the server put in it. */
export function linkPath(link) {
  return new URL(link).pathname;
}
