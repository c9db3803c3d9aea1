// The README's examples run as written: its TypeScript blocks in a scratch project where
// galdecon is installed (node_modules/galdecon linked to this checkout, which is what
// `npm install /path/to/galdecon` and `npm link galdecon` do), after `galdecon simulate`
// has made the files they read; and every option of every `galdecon` command line in it
// exists.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.ts';
import { RUN } from '../src/cli/run.ts';
import { AGENT } from '../src/cli/agent.ts';
import { SIMULATE } from '../src/cli/simulate.ts';
import { METRICS } from '../src/cli/metrics.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = (lang: string) => [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

test('the README\'s TypeScript blocks run as written in a project that installed galdecon', async () => {
  const ts = blocks('ts');
  assert.ok(ts.length >= 1, 'no ```ts block in the README');
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-readme-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'galdecon'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-check', type: 'module', private: true }));
  assert.equal(await main(['simulate', '--n', '100', '--out', dir], { out: () => {}, err: () => {} }), 0);
  for (const [k, code] of ts.entries()) {
    const file = join(dir, `block${k}.ts`);
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `README block ${k} failed:\n${r.stderr}`);
    if (k === 0) assert.equal(r.stdout.trim(), '168100 168100 504300 168100 172200 300'); // the kernels snippet's sizes
  }
});

test('every option on a galdecon command line in the README exists', () => {
  const specs = { run: RUN, agent: AGENT, simulate: SIMULATE, metrics: METRICS } as Record<string, typeof RUN>;
  // Command lines: in sh blocks and indented examples, with their continuation lines.
  const text = README.replace(/\\\n\s*/g, ' ').replace(/\n\s+(\[|…)/g, ' $1');
  let checked = 0;
  for (const m of text.matchAll(/galdecon (run|agent|simulate|metrics)\b([^\n`]*)/g)) {
    const spec = specs[m[1]];
    for (const [, opt] of m[2].matchAll(/--([a-z][a-z0-9-]*)/g)) {
      assert.ok(opt === 'help' || opt in spec.options, `README: galdecon ${m[1]} --${opt} is not an option`);
      checked++;
    }
  }
  assert.ok(checked > 40, `only ${checked} options found in the README`);
});
