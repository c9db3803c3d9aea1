// The live view and the HTML report in a real browser (Debian's chromium through
// puppeteer-core): a run with --serve is watched while it runs and after it ends, and its
// --html report is opened with every network request refused. Screenshots go to the
// test's temporary directory (printed as diagnostics).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { galdecon } from './helpers.ts';
import { chromiumAvailable, launchChromium } from './support/browser.ts';

const BIN = fileURLToPath(new URL('../bin/galdecon.js', import.meta.url));
const ITERATIONS = 200; // 2 phases of 100, --tolerance 0: every one runs

declare global {
  interface Window { galdecon?: { view: any; points: () => number } }
}

test('live view: costs, agents and mosaic while running, the final state after; the --html report offline', { skip: !chromiumAvailable(), timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-live-'));
  const sim = join(dir, 'sim');
  assert.equal(galdecon(['simulate', '--n', '600', '--seed', '11', '--out', sim]).code, 0);
  const common = ['--input', join(sim, 'observed.fits'), '--psf', join(sim, 'psfs.fits'), '--truth', join(sim, 'truth.fits'),
    '--agents', '2', '--n-iter', '100', '--n-reweights', '1', '--tolerance', '0', '--quiet'];
  const html = join(dir, 'report.html');
  const child = spawn(process.execPath, [BIN, 'run', ...common, '--output', join(dir, 'x.npy'), '--html', html,
    '--serve', '127.0.0.1:0', '--serve-linger', '120', '--mosaic-objects', '0,17,256,599'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const until = async (what: string, ok: () => boolean, ms = 120_000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`${what}: not seen (stderr: ${stderr})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const browser = await launchChromium();
  try {
    await until('the live view URL', () => /live view at (http:\S+)/.test(stderr), 30_000);
    const url = /live view at (http:\S+)/.exec(stderr)![1];
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1900 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);

    // Live: the cost chart gets points and the agent table lists both agents while running.
    await page.waitForFunction(() => window.galdecon?.view.status === 'running' && window.galdecon.points() >= 8, { timeout: 120_000 });
    const live = await page.evaluate(() => ({
      points: window.galdecon!.points(),
      iteration: window.galdecon!.view.iteration,
      agents: [...document.querySelectorAll('#agents tbody tr td:first-child')].map((e) => e.textContent),
      canvases: document.querySelectorAll('.chart canvas').length,
      partitions: document.querySelectorAll('#parts .part').length,
    }));
    assert.ok(live.points < ITERATIONS, `the page saw the run only at its end (${live.points} points)`);
    assert.deepEqual(live.agents, ['local-0', 'local-1']);
    assert.equal(live.canvases, 2);
    assert.equal(live.partitions, 4);
    await page.waitForFunction(() => (document.querySelector('#mosaic') as HTMLImageElement).naturalWidth > 0, { timeout: 60_000 });
    const shot1 = join(dir, 'live-running.png');
    await page.screenshot({ path: shot1, fullPage: true });
    t.diagnostic(`screenshot while running: ${shot1} (iteration ${live.iteration})`);
    // it keeps updating
    await page.waitForFunction((n) => window.galdecon!.points() > n, { timeout: 60_000 }, live.points);

    // Final: the page shows the finished run while the driver lingers.
    await page.waitForFunction(() => window.galdecon?.view.status === 'finished', { timeout: 180_000 });
    const final = await page.evaluate(() => ({
      points: window.galdecon!.points(),
      iteration: window.galdecon!.view.iteration,
      badge: document.querySelector('#status')!.textContent,
      metrics: document.querySelector('#run')!.textContent,
      mosaic: window.galdecon!.view.mosaic?.iteration,
    }));
    assert.equal(final.points, ITERATIONS);
    assert.equal(final.iteration, ITERATIONS);
    assert.equal(final.badge, 'finished');
    assert.match(final.metrics ?? '', /NMSE \(median\)/);
    const shot2 = join(dir, 'live-finished.png');
    await page.screenshot({ path: shot2, fullPage: true });
    t.diagnostic(`screenshot after the run: ${shot2}`);
    assert.equal(errors.join('\n'), '');
    await until('the end of the run', () => /stays up for 120 s/.test(stderr));

    // The report: one file that renders with every request but its own refused.
    const report = await browser.newPage();
    await report.setViewport({ width: 1400, height: 1900 });
    const fileUrl = pathToFileURL(html).href;
    const refused: string[] = [];
    await report.setRequestInterception(true);
    report.on('request', (r) => {
      if (r.url() === fileUrl || r.url().startsWith('data:')) void r.continue();
      else {
        refused.push(r.url());
        void r.abort();
      }
    });
    report.on('pageerror', (e) => errors.push(String(e)));
    await report.goto(fileUrl, { waitUntil: 'load' });
    await report.waitForFunction(() => window.galdecon !== undefined && window.galdecon.points() > 0);
    const r = await report.evaluate(() => ({
      points: window.galdecon!.points(),
      status: window.galdecon!.view.status,
      agents: document.querySelectorAll('#agents tbody tr').length,
      partitions: document.querySelectorAll('#parts .part').length,
      mosaic: (document.querySelector('#mosaic') as HTMLImageElement).naturalWidth,
      canvases: document.querySelectorAll('.chart canvas').length,
      software: document.querySelector('#software')!.textContent,
    }));
    assert.deepEqual(refused, []);
    assert.equal(errors.join('\n'), '');
    assert.equal(r.points, ITERATIONS);
    assert.equal(r.status, 'finished');
    assert.equal(r.agents, 2);
    assert.equal(r.partitions, 4);
    assert.ok(r.mosaic > 500, `mosaic width ${r.mosaic}`);
    assert.equal(r.canvases, 2);
    assert.match(r.software ?? '', /galdecon \d+\.\d+\.\d+ · node \d+/);
    assert.ok(!/<(script|link)[^>]+(src|href)=/i.test(readFileSync(html, 'utf8')), 'the report refers to an outside file');
    const shot3 = join(dir, 'report.png');
    await report.screenshot({ path: shot3, fullPage: true });
    t.diagnostic(`screenshot of the --html report: ${shot3} (${(statSync(html).size / 1024).toFixed(0)} KiB)`);
  } finally {
    await browser.close();
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }

  // Watching changes no bit of the output.
  assert.equal(galdecon(['run', ...common, '--output', join(dir, 'y.npy')]).code, 0);
  assert.ok(existsSync(join(dir, 'x.npy')));
  assert.ok(readFileSync(join(dir, 'x.npy')).equals(readFileSync(join(dir, 'y.npy'))), 'the output differs with --serve');
});
