// The single-machine cluster: driver + worker-thread agents give the same bits for any
// agent and partition count, equal to the single-process solver; simulate → run → metrics
// end to end; a failing agent ends the run cleanly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDistributed, LocalTransport, type Transport, type AgentLink } from '../src/cluster/index.ts';
import { RunDigest } from '../src/cluster/recovery.ts';
import { memorySource } from '../src/common/types.ts';
import { solve, setupStreamed, type SolverOptions } from '../src/solver/index.ts';
import { ClusterError } from '../src/errors.ts';
import { parseNpy, readArray } from '../src/io/index.ts';
import { fixture, loadNpy, relL2, galdecon } from './helpers.ts';

const Y = loadNpy('example/example_image_stack.npy');
const P = loadNpy('example/example_psfs.npy');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'galdecon-cluster-'));
}

test('galdecon run: bit-identical for (agents, partitions) in (1,1) (2,2) (2,7) (3,16), equal to the single-process solver', async () => {
  const single = await solve(Y, P, {});
  const want = loadNpy('example/reference/default_primal.npy').data;
  assert.ok(relL2(single.x, want) <= 1e-4, `single-process vs reference: ${relL2(single.x, want)}`);
  const dir = tmp();
  for (const [k, n] of [[1, 1], [2, 2], [2, 7], [3, 16]]) {
    const out = join(dir, `x-${k}-${n}.npy`);
    const r = galdecon(['run', '--input', fixture('example/example_image_stack.npy'), '--psf', fixture('example/example_psfs.npy'),
      '--output', out, '--agents', String(k), '--partitions', String(n), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const x = parseNpy(readFileSync(out), out).data;
    assert.ok(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(single.x.buffer)), `K=${k} N=${n} differs from the single-process result`);
  }
});

test('simulate → run --truth → metrics: deconvolution beats the observations; simulate is deterministic', () => {
  const dir = tmp();
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  for (const d of [a, b]) {
    const r = galdecon(['simulate', '--n', '24', '--seed', '7', '--out', d]);
    assert.equal(r.code, 0, r.stderr);
  }
  for (const f of ['observed.fits', 'psfs.fits', 'truth.fits', 'params.json']) {
    assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between two runs with one seed`);
  }
  const c = join(dir, 'c');
  assert.equal(galdecon(['simulate', '--n', '24', '--seed', '8', '--out', c]).code, 0);
  assert.ok(!readFileSync(join(a, 'truth.fits')).equals(readFileSync(join(c, 'truth.fits'))), 'another seed gives the same truth');

  const out = join(dir, 'x.fits');
  const report = join(dir, 'report.json');
  const plots = join(dir, 'plots');
  const r = galdecon(['run', '--input', join(a, 'observed.fits'), '--psf', join(a, 'psfs.fits'), '--truth', join(a, 'truth.fits'),
    '--output', out, '--report', report, '--plots', plots, '--agents', '2', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  for (const k of ['nmse_median', 'nmse_mean', 'ellipticity_error_median', 'ellipticity_error_mean', 'psnr_median', 'psnr_mean']) {
    assert.equal(typeof rep.metrics[k], 'number', `metrics.${k}`);
  }
  assert.ok(rep.metrics.nmse_median < rep.baseline_metrics.nmse_median, 'NMSE not better than the observations');
  assert.ok(rep.metrics.ellipticity_error_median < rep.baseline_metrics.ellipticity_error_median, 'ellipticity error not better');
  assert.deepEqual(readdirSync(plots).sort(), ['cost.svg', 'mosaic.png']);
  const m = galdecon(['metrics', '--truth', join(a, 'truth.fits'), '--estimate', out, '--json']);
  assert.equal(m.code, 0, m.stderr);
  assert.ok(Math.abs(JSON.parse(m.stdout).nmse_median - rep.metrics.nmse_median) < 1e-12, 'metrics command disagrees with the report');
});

test('the output FITS carries the run in its header', async () => {
  const dir = tmp();
  const out = join(dir, 'x.fits');
  const r = galdecon(['run', '--input', fixture('example/example_image_stack.fits'), '--psf', fixture('example/example_psfs.fits'),
    '--output', out, '--n-iter', '3', '--n-reweights', '0', '--agents', '1', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(out).subarray(0, 2880 * 3).toString('latin1');
  for (const key of ['CREATOR', 'GDWAVE', 'GDKAPPA', 'NOISESIG', 'NITER', 'CONVERGD', 'HISTORY']) {
    assert.ok(text.includes(key), `header lacks ${key}`);
  }
  const x = await readArray(out);
  assert.deepEqual(x.shape, [100, 41, 41]);
});

test('--config supplies options; the command line wins', () => {
  const dir = tmp();
  const cfg = join(dir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ 'n-iter': 4, 'n-reweights': 0, tolerance: 0 }));
  const report = join(dir, 'r.json');
  const base = ['run', '--input', fixture('example/example_image_stack.npy'), '--psf', fixture('example/example_psfs.npy'),
    '--output', join(dir, 'x.npy'), '--report', report, '--agents', '1', '--quiet', '--config', cfg];
  assert.equal(galdecon(base).code, 0);
  assert.equal(JSON.parse(readFileSync(report, 'utf8')).iterations, 4);
  assert.equal(galdecon([...base, '--n-iter', '6', '--overwrite']).code, 0);
  assert.equal(JSON.parse(readFileSync(report, 'utf8')).iterations, 6);
  writeFileSync(cfg, '{"n-iter": ');
  const bad = galdecon([...base, '--overwrite']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /cfg\.json: not valid JSON/);
});

test('an agent that fails ends the run with a clear error, and every worker is shut down', async () => {
  // A transport whose second agent answers every request with garbage.
  const local = new LocalTransport(1);
  const [good] = await local.agents();
  const broken: AgentLink = { id: 'broken', request: async () => new Uint8Array([1, 2, 3]) };
  const transport: Transport = { agents: async () => [good, broken], close: () => local.close() };
  const y = { data: Y.data.slice(0, 8 * 1681), shape: [8, 41, 41] };
  const p = { data: P.data.slice(0, 8 * 1681), shape: [8, 41, 41] };
  try {
    await assert.rejects(runDistributed(y, p, { nIter: 3, nReweights: 0 }, { transport, partitions: 2 }),
      (e: Error) => e instanceof ClusterError && /broken/.test(e.message));
  } finally {
    await transport.close();
  }
  // A worker that crashes: its requests fail at once, and close() still returns.
  const crashing = new LocalTransport(2);
  const links = await crashing.agents();
  (links[1] as unknown as { worker: import('node:worker_threads').Worker }).worker.terminate();
  try {
    await assert.rejects(runDistributed(y, p, { nIter: 3, nReweights: 0 }, { transport: crashing, partitions: 2, waitAgentsMs: 200 }),
      (e: Error) => e instanceof ClusterError);
  } finally {
    await crashing.close();
  }
});

test('run id: hashed from the stacks as the setup checks them; any pixel, PSF, option, σ_i or mask changes it', async () => {
  const idOf = async (y: Float32Array, p: Float32Array, given: Partial<SolverOptions> = {}, perObject: { sigma?: Float64Array; mask?: Float32Array } = {}) => {
    const d = new RunDigest();
    const ys = memorySource({ data: y, shape: Y.shape }), ps = memorySource({ data: p, shape: P.shape });
    const s = await setupStreamed(ys, ps, given, undefined, perObject.sigma, d.taps);
    return d.runId({ y: Y.shape, psf: P.shape }, s.options, { sigma: s.noiseSigmas, mask: perObject.mask && memorySource({ data: perObject.mask, shape: Y.shape }) });
  };
  const y = Float32Array.from(Y.data), p = Float32Array.from(P.data);
  const base = await idOf(y, p);
  assert.match(base, /^r[0-9a-f]{24}$/);
  assert.equal(await idOf(y.slice(), p.slice()), base);
  const y2 = y.slice(); y2[y2.length - 1] += 1e-3;
  const p2 = p.slice(); p2[5000] *= 1.001;
  const n = Y.shape[0];
  const ids = [
    base, await idOf(y2, p), await idOf(y, p2), await idOf(y, p, { nIter: 7 }),
    await idOf(y, p, {}, { sigma: new Float64Array(n).fill(1e-3) }), await idOf(y, p, {}, { mask: new Float32Array(y.length).fill(1) }),
  ];
  assert.equal(new Set(ids).size, ids.length, ids.join(' '));
});
