// The live view's web server (`galdecon run --serve`): Node's own http, read-only.
//
// - Only GET and HEAD; anything else is 405.
// - A fixed table of paths (the page, its script and style, uPlot, /state.json and the
//   Server-Sent Events stream /events); everything else is 404, so no request can reach
//   a file outside that table, whatever its dots and escapes.
// - Bound to loopback (127.0.0.1, ::1, localhost) by default. Any other address needs a
//   token (at least 16 characters), given as `Authorization: Bearer T`, `?token=T` (the
//   page then sets a same-site cookie so its own requests carry it) or that cookie.
// - On loopback the Host header must name loopback, which stops DNS-rebinding pages
//   from reading the view through the browser of someone on this machine.
// - Updates are coalesced: at most one state message every `intervalMs` per client.

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OptionError } from '../errors.ts';

export interface Asset {
  type: string;
  body: string | Uint8Array;
}

export interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  /** Static files by URL path ('/' is the page). */
  assets: Record<string, Asset>;
  /** The current state (JSON-serialisable), read when sending. */
  state: () => unknown;
  /** A large part sent apart, only to clients that lack its version (the mosaic). */
  picture?: () => { version: number; data: unknown } | undefined;
  /** Minimum interval between state messages to one client (ms, default 250). */
  intervalMs?: number;
  /** Most simultaneous event streams (default 32). */
  maxClients?: number;
}

export interface LiveServer {
  /** The URL of the page (without the token: secrets are never printed). */
  readonly url: string;
  readonly port: number;
  /** Open event streams (pages watching). */
  readonly viewers: number;
  /** Tells clients the state changed (sent coalesced); `now` sends at once. */
  changed(now?: boolean): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export const MIN_TOKEN_LENGTH = 16;
const COOKIE = 'galdecon_token';

/** Parses `[HOST:]PORT` (IPv6 in brackets); the default host is 127.0.0.1. */
export function parseServeAddress(spec: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(spec.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new OptionError(`--serve expects [HOST:]PORT, e.g. 8080 or 0.0.0.0:8080 (got ${JSON.stringify(spec)})`);
  }
  const host = m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1';
  return { host, port };
}

/** The token rule: a host other than loopback needs a token of at least MIN_TOKEN_LENGTH characters. */
export function checkServeAccess(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new OptionError(`the --serve token must be at least ${MIN_TOKEN_LENGTH} characters (use e.g. \`openssl rand -hex 16\`)`);
  }
  if (!LOOPBACK.has(host) && token === undefined) {
    throw new OptionError(`--serve on ${host} (not loopback) needs a token: set GALDECON_SERVE_TOKEN (or --serve-token) to a secret of at least ${MIN_TOKEN_LENGTH} characters`);
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const q = url.searchParams.get('token');
  if (q !== null) return q;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'",
};

export async function startServer(o: ServeOptions): Promise<LiveServer> {
  checkServeAccess(o.host, o.token);
  const loopback = LOOPBACK.has(o.host);
  const want = o.token !== undefined ? digest(o.token) : undefined;
  const interval = o.intervalMs ?? 250;
  const maxClients = o.maxClients ?? 32;
  /** Open event streams and the picture version each has. */
  const clients = new Map<ServerResponse, number>();
  let port = o.port;

  const refuse = (res: ServerResponse, code: number, text: string, extra: Record<string, string> = {}): void => {
    res.writeHead(code, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(`${text}\n`);
  };

  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed: this view is read-only', { Allow: 'GET, HEAD' });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://view.invalid');
    } catch {
      return refuse(res, 400, 'bad request');
    }
    if (loopback) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      if (!LOOPBACK.has(host)) return refuse(res, 421, 'this view answers only to a loopback Host');
    }
    let setCookie: Record<string, string> = {};
    if (want) {
      const got = tokenOf(req, url);
      if (got === undefined || !timingSafeEqual(digest(got), want)) {
        return refuse(res, 401, 'a token is needed: open this URL with ?token=<the GALDECON_SERVE_TOKEN of the run>', { 'WWW-Authenticate': 'Bearer' });
      }
      if (url.searchParams.has('token')) setCookie = { 'Set-Cookie': `${COOKIE}=${encodeURIComponent(got)}; HttpOnly; SameSite=Strict; Path=/` };
    }
    const path = url.pathname;
    if (path === '/events') {
      if (req.method === 'HEAD') return refuse(res, 200, '', { 'Content-Type': 'text/event-stream' });
      if (clients.size >= maxClients) return refuse(res, 503, 'too many viewers', { 'Retry-After': '5' });
      res.writeHead(200, { ...SECURITY_HEADERS, ...setCookie, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      res.write('retry: 2000\n\n');
      clients.set(res, -1);
      send(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    let asset: Asset | undefined;
    if (path === '/state.json') asset = { type: 'application/json; charset=utf-8', body: JSON.stringify(o.state()) };
    else if (Object.hasOwn(o.assets, path)) asset = o.assets[path];
    if (!asset) return refuse(res, 404, 'not found');
    const body = typeof asset.body === 'string' ? Buffer.from(asset.body) : asset.body;
    res.writeHead(200, { ...SECURITY_HEADERS, ...setCookie, 'Content-Type': asset.type, 'Content-Length': String(body.byteLength) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;

  function send(res: ServerResponse, state = JSON.stringify(o.state())): void {
    const pic = o.picture?.();
    if (pic && clients.get(res) !== pic.version) {
      res.write(`event: picture\ndata: ${JSON.stringify(pic.data)}\n\n`);
      clients.set(res, pic.version);
    }
    res.write(`event: state\ndata: ${state}\n\n`);
  }
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  const flush = (): void => {
    timer = undefined;
    last = performance.now();
    const state = JSON.stringify(o.state());
    for (const c of clients.keys()) send(c, state);
  };
  const keepAlive = setInterval(() => {
    for (const c of clients.keys()) c.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(new OptionError(`--serve: cannot listen on ${o.host}:${o.port} (${e.code ?? e.message})`));
    });
    server.listen(o.port, o.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shownHost}:${port}/`;

  return {
    url,
    port,
    get viewers() {
      return clients.size;
    },
    changed(now = false) {
      if (clients.size === 0) return;
      if (now) {
        if (timer) clearTimeout(timer);
        flush();
      } else if (!timer) {
        timer = setTimeout(flush, Math.max(0, interval - (performance.now() - last)));
      }
    },
    async close() {
      if (timer) clearTimeout(timer);
      clearInterval(keepAlive);
      for (const c of clients.keys()) c.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
