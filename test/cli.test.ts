// `galdecon run` end to end on the example data, and every kind of bad input: one clear
// line on stderr, a non-zero exit, no stack trace and no output file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, encodeNpy } from '../src/io/index.ts';
import { fixture, loadNpy, relL2, galdecon } from './helpers.ts';


const Y = fixture('example/example_image_stack.npy');
const P = fixture('example/example_psfs.npy');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'galdecon-cli-'));
}

test('run on the example .npy files: output, report, matches the reference', () => {
  const dir = tmp();
  const out = join(dir, 'x.npy');
  const report = join(dir, 'report.json');
  const r = galdecon(['run', '--input', Y, '--psf', P, '--output', out, '--report', report, '--tolerance', '0', '--agents', '2', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const x = parseNpy(readFileSync(out), out);
  assert.deepEqual(x.shape, [100, 41, 41]);
  const want = loadNpy('example/reference/default_primal.npy').data;
  assert.ok(relL2(x.data, want) <= 1e-4, `rel L2 ${relL2(x.data, want)}`);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  for (const k of ['objects', 'sigma', 'iterations', 'converged', 'cost', 'timing', 'partitions', 'agents']) {
    assert.ok(k in rep, `report lacks ${k}`);
  }
  assert.equal(rep.objects, 100);
  assert.equal(rep.iterations, 300);
  assert.equal(rep.cost.length, 300);
  assert.ok(Math.abs(rep.sigma / 3.1169931950657725e-4 - 1) < 1e-7);
  for (const k of ['total_s', 'setup_s', 'iterate_s', 'per_iteration_s']) assert.equal(typeof rep.timing[k], 'number');
  assert.deepEqual(readdirSync(dir).sort(), ['report.json', 'x.npy']);
});

test('--help on the command and the subcommand', () => {
  const top = galdecon(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /commands:/);
  const run = galdecon(['run', '--help']);
  assert.equal(run.code, 0);
  for (const opt of ['--input', '--psf', '--output', '--wavelet', '--kappa', '--n-iter', '--n-reweights', '--tolerance',
    '--cost-window', '--tau', '--sigma', '--relax', '--noise-est', '--no-positivity', '--partitions', '--agents']) {
    assert.ok(run.stdout.includes(opt), `run --help lacks ${opt}`);
  }
});

function expectFailure(args: string[], pattern: RegExp, dir: string): void {
  const r = galdecon(args);
  assert.notEqual(r.code, 0, `expected failure: ${args.join(' ')}`);
  assert.match(r.stderr, pattern);
  assert.ok(!/\n\s+at /.test(r.stderr), `stack trace in: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `not one line: ${r.stderr}`);
  assert.ok(!existsSync(join(dir, 'x.npy')), 'an output file was written');
  assert.deepEqual(readdirSync(dir).filter((f) => f === 'x.npy' || f.startsWith('.x.npy')), [], 'temporary files left behind');
}

test('bad input: one line, non-zero exit, no output', () => {
  const dir = tmp();
  const out = join(dir, 'x.npy');
  const write = (name: string, data: Float32Array | Float64Array, shape: number[]) => {
    const p = join(dir, name);
    writeFileSync(p, encodeNpy(data, shape));
    return p;
  };
  const y = loadNpy('example/example_image_stack.npy');
  const p = loadNpy('example/example_psfs.npy');
  const base = ['--output', out, '--quiet', '--agents', '1'];
  // PSF count ≠ object count and ≠ 1
  const p3 = write('p3.npy', p.data.slice(0, 3 * 1681), [3, 41, 41]);
  expectFailure(['run', '--input', Y, '--psf', p3, ...base], /3 PSFs for 100 objects/, dir);
  // stamps smaller than 8 px
  const small = write('small.npy', new Float64Array(2 * 49).fill(1), [2, 7, 7]);
  expectFailure(['run', '--input', small, '--psf', small, ...base], /minimum is 8×8/, dir);
  // PSF larger than the stamp
  const y20 = write('y20.npy', new Float64Array(2 * 400).fill(1), [2, 20, 20]);
  const p21 = write('p21.npy', new Float64Array(2 * 441).fill(1), [2, 21, 21]);
  expectFailure(['run', '--input', y20, '--psf', p21, ...base], /larger than the stamps/, dir);
  // NaN / Inf, naming the object
  const nan = Float64Array.from(y.data);
  nan[42 * 1681 + 5] = NaN;
  expectFailure(['run', '--input', write('nan.npy', nan, [100, 41, 41]), '--psf', P, ...base], /object 42/, dir);
  const inf = Float32Array.from(p.data);
  inf[7 * 1681] = Infinity;
  expectFailure(['run', '--input', Y, '--psf', write('inf.npy', inf, [100, 41, 41]), ...base], /--psf .*inf\.npy: object 7/, dir);
  // empty stack
  expectFailure(['run', '--input', write('empty.npy', new Float64Array(0), [0, 41, 41]), '--psf', P, ...base], /empty/, dir);
  // non-float dtype that cannot be converted (complex) and unreadable files
  const complex = join(dir, 'complex.npy');
  const header = "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 8, 8), }";
  const padded = header.padEnd(118, ' ') + '\n';
  writeFileSync(complex, Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, 118, 0]), Buffer.from(padded), Buffer.alloc(2 * 64 * 8)]));
  expectFailure(['run', '--input', complex, '--psf', P, ...base], /complex\.npy/, dir);
  expectFailure(['run', '--input', join(dir, 'missing.npy'), '--psf', P, ...base], /missing\.npy/, dir);
  const garbage = join(dir, 'garbage.npy');
  writeFileSync(garbage, 'not an array');
  expectFailure(['run', '--input', garbage, '--psf', P, ...base], /garbage\.npy/, dir);
  // bad options
  expectFailure(['run', '--input', Y, '--psf', P, ...base, '--kappa', '3,3'], /kappa/, dir);
  expectFailure(['run', '--input', Y, '--psf', P, ...base, '--wavelet', 'haar'], /wavelet/, dir);
  expectFailure(['run', '--input', Y, '--psf', P, ...base, '--n-iter', 'many'], /--n-iter/, dir);
  expectFailure(['run', '--input', Y, '--psf', P, ...base, '--bogus'], /bogus/, dir);
  expectFailure(['run', '--input', Y, '--psf', P, '--output', join(dir, 'x.txt'), '--quiet'], /x\.txt/, dir);
  expectFailure(['run', '--psf', P, ...base], /--input is required/, dir);
});

test('an existing output is refused without --overwrite, replaced with it', () => {
  const dir = tmp();
  const out = join(dir, 'x.npy');
  copyFileSync(Y, out);
  const before = readFileSync(out);
  const args = ['run', '--input', Y, '--psf', P, '--output', out, '--n-iter', '2', '--n-reweights', '0', '--quiet', '--agents', '1'];
  const r = galdecon(args);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--overwrite/);
  assert.deepEqual(readFileSync(out), before);
  assert.equal(galdecon([...args, '--overwrite']).code, 0);
  assert.notDeepEqual(readFileSync(out), before);
});

test('PSFs that do not sum to 1 give a warning, not an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-cli-'));
  const p = loadNpy('example/example_psfs.npy');
  const half = Float32Array.from(p.data.subarray(0, 4 * 1681), (v) => v * 0.5);
  const y = loadNpy('example/example_image_stack.npy');
  const yp = join(dir, 'y.npy');
  const pp = join(dir, 'p.npy');
  writeFileSync(yp, encodeNpy(y.data.slice(0, 4 * 1681), [4, 41, 41]));
  writeFileSync(pp, encodeNpy(half, [4, 41, 41]));
  const r = galdecon(['run', '--input', yp, '--psf', pp, '--output', join(dir, 'x.npy'), '--n-iter', '2', '--n-reweights', '0', '--agents', '1', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: .*4 of 4 PSFs do not sum to 1 \(object \d: 0\.5/);
  assert.ok(existsSync(join(dir, 'x.npy')), 'no output');
});
