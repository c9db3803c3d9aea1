// The live view's server on its own: the token rule, read-only methods, the fixed path
// table (no traversal), the Host check, and the event stream.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServeAccess, parseServeAddress, startServer } from '../src/serve/server.ts';
import { liveAssets } from '../src/report/page.ts';
import { OptionError } from '../src/errors.ts';
import { galdecon } from './helpers.ts';

const TOKEN = 'k3y-0123456789abcdef';

function get(port: number, path: string, o: { method?: string; host?: string; headers?: Record<string, string>; addr?: string } = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: o.addr ?? '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { Host: o.host ?? `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; if (path.startsWith('/events') && body.includes('event: state')) res.destroy(); });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('--serve addresses and the token rule', () => {
  assert.deepEqual(parseServeAddress('8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseServeAddress('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseServeAddress('[::1]:9000'), { host: '::1', port: 9000 });
  for (const bad of ['', 'x', '1.2.3.4:', ':80', '99999', 'a b:80']) assert.throws(() => parseServeAddress(bad), OptionError, bad);
  checkServeAccess('127.0.0.1', undefined);
  checkServeAccess('::1', undefined);
  checkServeAccess('localhost', undefined);
  for (const host of ['0.0.0.0', '127.0.0.2', '192.168.1.10', 'example.org', '::']) {
    assert.throws(() => checkServeAccess(host, undefined), /needs a token/, host);
    checkServeAccess(host, TOKEN);
  }
  assert.throws(() => checkServeAccess('127.0.0.1', 'short'), /at least 16/);
});

test('off loopback: refused without the token, served with it', async () => {
  const s = await startServer({ host: '127.0.0.2', port: 0, token: TOKEN, assets: liveAssets(), state: () => ({ iteration: 7 }) });
  try {
    const at = { addr: '127.0.0.2', host: `127.0.0.2:${s.port}` };
    for (const path of ['/', '/app.js', '/state.json', '/events', '/uplot.js']) {
      assert.equal((await get(s.port, path, at)).status, 401, path);
      assert.equal((await get(s.port, `${path}?token=wrong-token-0123456789`, at)).status, 401, path);
    }
    const bearer = await get(s.port, '/state.json', { ...at, headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(bearer.status, 200);
    assert.deepEqual(JSON.parse(bearer.body), { iteration: 7 });
    const page = await get(s.port, `/?token=${TOKEN}`, at);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['set-cookie']), /galdecon_token=.*HttpOnly; SameSite=Strict/);
    const cookie = await get(s.port, '/app.js', { ...at, headers: { Cookie: `galdecon_token=${TOKEN}` } });
    assert.equal(cookie.status, 200);
    const events = await get(s.port, '/events', { ...at, headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.match(events.body, /event: state\ndata: \{"iteration":7\}/);
    assert.equal(s.url, `http://127.0.0.2:${s.port}/`, 'the token is never printed');
  } finally {
    await s.close();
  }
  // The same rule at the command line: exit 2 before anything is read or computed.
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-serve-'));
  const r = galdecon(['run', '--input', 'y.fits', '--psf', 'p.fits', '--output', join(dir, 'x.fits'), '--serve', '127.0.0.2:0'], { env: { GALDECON_SERVE_TOKEN: '' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^galdecon run: error: --serve on 127\.0\.0\.2 \(not loopback\) needs a token/);
});

test('read-only, a fixed path table, and loopback Host names only', async () => {
  const s = await startServer({ host: '127.0.0.1', port: 0, assets: liveAssets(), state: () => ({}) });
  try {
    // (CONNECT never reaches the handler: Node's server closes such a socket.)
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
      const r = await get(s.port, '/', { method });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
    const head = await get(s.port, '/app.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    for (const path of ['/../package.json', '/..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/app.js/../../../etc/passwd',
      '//etc/passwd', '/package.json', '/src/report/page/app.js', '/node_modules/uplot/package.json', '/.%2e/.%2e/etc/passwd', '/app.js%00.html']) {
      const r = await get(s.port, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.ok(!/root:|"name": "galdecon"|"version"/.test(r.body), `${path} leaked ${r.body.slice(0, 60)}`);
    }
    const page = await get(s.port, '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal((await get(s.port, '/', { host: `evil.example:${s.port}` })).status, 421);
    assert.equal((await get(s.port, '/', { host: `localhost:${s.port}` })).status, 200);
  } finally {
    await s.close();
  }
});

test('--html refuses an existing file without --overwrite, before the run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-html-'));
  const html = join(dir, 'r.html');
  writeFileSync(html, 'keep me');
  const r = galdecon(['run', '--input', 'missing.fits', '--psf', 'p.fits', '--output', join(dir, 'x.fits'), '--html', html]);
  assert.equal(r.code, 2, r.stderr); // an output path that would be overwritten is bad usage
  assert.match(r.stderr, /--html: refusing to overwrite .*r\.html: it already exists; use --overwrite/);
  const s = galdecon(['run', '--input', 'y.fits', '--psf', 'p.fits', '--output', join(dir, 'x.fits'), '--stretch', 'log']);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /--stretch expects one of asinh, sqrt, linear/);
});
