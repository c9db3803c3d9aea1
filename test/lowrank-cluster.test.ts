// The low-rank and combined priors distributed (ALGORITHM §10): the same bits for any
// (agents, partitions), locally and over a real nats-server, through agent loss (replay
// with the driver's SVT maps), checkpoints and a driver resumed with --resume; the CLI's
// options, report and plots.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { solve, lowrankLambda, resolveOptions, gramBlock, type SolverOptions, type Stack } from '../src/solver/index.ts';
import { runDistributed, LocalTransport, protocol } from '../src/cluster/index.ts';
import { median } from '../src/common/median.ts';
import { NatsServer, natsAvailable } from './support/nats-server.ts';
import { Proc, killAndResume, startAgent } from './support/galdecon-procs.ts';
import { localRun, natsRun, sameBits } from './support/nats-runs.ts';
import { fixture, galdecon, loadNpy } from './helpers.ts';
import { Kernels } from '../src/kernels/index.ts';
import { simulate } from '../src/sim/simulate.ts';

const Y_PATH = fixture('synthetic/noisy.npy');
const P_PATH = fixture('synthetic/psfs.npy');
const Y = loadNpy('synthetic/noisy.npy') as Stack;
const P = loadNpy('synthetic/psfs.npy') as Stack;
const OPTS = (prior: 'lowrank' | 'both'): Partial<SolverOptions> => ({ prior, nIter: 8, nReweights: 1, tolerance: 0 });

const skip = !natsAvailable();
let server: NatsServer;
const procs: Proc[] = [];

before(async () => {
  if (!skip) server = await NatsServer.start();
});

after(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  if (!skip) await server.dispose();
});

for (const prior of ['lowrank', 'both'] as const) {
  test(`${prior}: local agents, (agents, partitions) in (1,1) (2,3) (3,7) (2,25): the single-process bits, costs and ranks`, async () => {
    const single = await solve(Y, P, OPTS(prior));
    for (const [k, n] of [[1, 1], [2, 3], [3, 7], [2, 25]]) {
      const r = await localRun(Y, P, OPTS(prior), k, n);
      assert.equal(r.partitions, n);
      assert.ok(sameBits(r.x, single.x), `${k} agents × ${n} partitions differ`);
      assert.deepEqual(r.cost, single.cost);
      assert.deepEqual(r.lowrank!.ranks, single.lowrank!.ranks);
      assert.equal(r.lowrank!.lambda, single.lowrank!.lambda);
    }
  });
}

test('both with per-object σ_i: partitions carry their σ_i, λ from their median; the single-process bits for (2, 5)', async () => {
  const n = Y.shape[0];
  const sigma = Array.from({ length: n }, (_, i) => 2e-4 + ((i * 37) % n) * 4e-6);
  const single = await solve(Y, P, OPTS('both'), { perObject: { sigma } });
  const transport = new LocalTransport(2);
  try {
    const r = await runDistributed(Y, P, OPTS('both'), { transport, partitions: 5, perObject: { sigma } });
    assert.ok(sameBits(r.x, single.x));
    assert.deepEqual(r.cost, single.cost);
    assert.deepEqual(r.lowrank!.ranks, single.lowrank!.ranks);
    assert.equal(r.noiseSigma, median(Float64Array.from(sigma)));
    assert.equal(r.lowrank!.lambda, single.lowrank!.lambda);
    assert.equal(r.lowrank!.lambda, lowrankLambda(r.noiseSigma, n, Y.shape[1], Y.shape[2], r.lowrank!.beta, 1));
  } finally {
    await transport.close();
  }
});

test('the library refuses what the low-rank path cannot honour: the stream schedule, a mask, and an agent asked to solve a low-rank partition alone', async () => {
  const transport = new LocalTransport(1);
  try {
    await assert.rejects(runDistributed(Y, P, OPTS('lowrank'), { transport, schedule: 'stream' }),
      { code: 'E_OPTION', message: /prior lowrank cannot run with schedule stream: stream solves each partition alone/ });
    const mask = new Float32Array(Y.data.length).fill(1);
    await assert.rejects(runDistributed(Y, P, OPTS('both'), { transport, perObject: { mask } }), { code: 'E_OPTION', message: /mask cannot be combined with prior both/ });
  } finally {
    await transport.close();
  }
  await assert.rejects(solve(Y, P, OPTS('lowrank'), { perObject: { mask: new Float32Array(Y.data.length).fill(1) } }), /mask cannot be combined with prior lowrank/);
  const [, ny, nx] = Y.shape;
  const spec = {
    partition: 0, first: 0, n: 1, ny, nx, psfCount: 1, ky: ny, kx: nx, sigma: 1,
    y: new Float32Array(ny * nx), psfs: new Float32Array(ny * nx), options: resolveOptions(OPTS('both')),
  };
  const solveReq = (options: SolverOptions) => protocol.encode({ v: protocol.PROTOCOL_VERSION, type: 'solve', run: 'r', spec: { ...spec, options } });
  assert.equal(protocol.decodeRequest(solveReq(resolveOptions({}))).type, 'solve');
  assert.throws(() => protocol.decodeRequest(solveReq(resolveOptions(OPTS('both')))), /solve: the stream schedule runs the sparse prior only/);
});

/** 300 simulated 12×12 stamps: more objects than pixels, so the partitions reduce the pixels' Gram (solver/pixel-gram.ts). */
function manyObjects(): { y: Stack; p: Stack } {
  const k = new Kernels();
  const sim = simulate({ n: 300, size: 12, seed: 5, noise: 3e-4 },
    (images, psfs, count, ny, nx) => k.convolve(images, { n: count, ny, nx }, psfs, { n: count, ky: ny, kx: nx }));
  return { y: { data: sim.observed, shape: [300, 12, 12] }, p: { data: sim.psfs, shape: [300, 12, 12] } };
}
const MANY: Partial<SolverOptions> = { prior: 'both', nIter: 4, nReweights: 1, tolerance: 0 };

test('more objects than pixels (300 stamps of 12×12, the pixels\' Gram in blocks of 12): the single-process bits for (1,1) (2,3) (3,7) (2,25)', async () => {
  const { y, p } = manyObjects();
  assert.equal(gramBlock(300), 12);
  const single = await solve(y, p, MANY);
  assert.ok(single.lowrank!.ranks.every((r) => r >= 1 && r <= 144));
  assert.ok(single.cost.at(-1)! < single.cost[0] / 10);
  for (const [agents, n] of [[1, 1], [2, 3], [3, 7], [2, 25]]) {
    const r = await localRun(y, p, MANY, agents, n);
    assert.equal(r.partitions, n);
    assert.ok(sameBits(r.x, single.x), `${agents} × ${n}`);
    assert.deepEqual(r.cost, single.cost);
    assert.deepEqual(r.lowrank!.ranks, single.lowrank!.ranks);
  }
  // partitions are whole Gram blocks: 25 blocks make at most 25 partitions
  assert.equal((await localRun(y, p, { ...MANY, nIter: 1, nReweights: 0 }, 2, 40)).partitions, 25);
});

test('over NATS: 1, 2 and 3 agents with several partition counts give the local bits (both priors)', { skip }, async () => {
  const agents = await startAgent(server.url, 3);
  procs.push(agents);
  for (const prior of ['lowrank', 'both'] as const) {
    const want = await localRun(Y, P, OPTS(prior), 1, 1);
    for (const [k, n] of [[1, 2], [2, 5], [3, 12]]) {
      const r = await natsRun({ url: server.url, minAgents: k, maxAgents: k }, { partitions: n }, Y, P, OPTS(prior));
      assert.ok(sameBits(r.x, want.x), `${prior}: ${k} agents × ${n} partitions differ from local mode`);
      assert.deepEqual(r.cost, want.cost);
      assert.deepEqual(r.lowrank!.ranks, want.lowrank!.ranks);
    }
  }
  // more objects than pixels: the Gram parts over the wire
  const { y, p } = manyObjects();
  const want = await localRun(y, p, MANY, 1, 1);
  for (const [k, n] of [[2, 5], [3, 9]]) {
    const r = await natsRun({ url: server.url, minAgents: k, maxAgents: k }, { partitions: n }, y, p, MANY);
    assert.ok(sameBits(r.x, want.x), `300 objects: ${k} agents × ${n} partitions differ from local mode`);
    assert.deepEqual(r.cost, want.cost);
    assert.deepEqual(r.lowrank!.ranks, want.lowrank!.ranks);
  }
  agents.kill('SIGTERM');
  await agents.exited;
});

// Checkpoints of the combined prior hold x, the ℓ1 dual, Φx (and W once reweighted) and
// y₂; of the low-rank prior alone, x and y₂ only (its run has no reweighting phase: 8
// iterations, so its agent is struck earlier).
for (const [prior, checkpointEvery, strike] of [['both', 0, 9], ['both', 3, 9], ['lowrank', 3, 6]] as const) {
  test(`over NATS (${prior}): an agent SIGKILLed mid-run is replaced, the SVT maps replayed${checkpointEvery ? ' from a checkpoint (y₂ in it)' : ''}: identical output`, { skip }, async () => {
    const opts = OPTS(prior);
    const want = await localRun(Y, P, opts, 1, 1);
    const [a, b] = await Promise.all([startAgent(server.url), startAgent(server.url)]);
    procs.push(a, b);
    const log: string[] = [];
    let struck = false;
    const r = await natsRun({ url: server.url, minAgents: 2, maxAgents: 2, lostAfterMs: 2000 }, {
      partitions: 5, checkpointEvery, log: (l) => log.push(l),
      onProgress: (p) => {
        if (!struck && p.iteration >= strike) {
          struck = true;
          b.kill('SIGKILL');
        }
      },
    }, Y, P, opts);
    assert.ok(log.some((l) => /lost; moving partition/.test(l)), log.join('\n'));
    if (checkpointEvery) assert.ok(log.some((l) => /checkpoint at iteration/.test(l)), log.join('\n'));
    assert.ok(sameBits(r.x, want.x), 'output differs after the kill');
    assert.deepEqual(r.cost, want.cost);
    assert.deepEqual(r.lowrank!.ranks, want.lowrank!.ranks);
    a.kill('SIGKILL');
  });
}

test('over NATS: the driver killed, then --resume: identical output and the full rank list in the report', { skip }, async () => {
  const [a, b] = await Promise.all([startAgent(server.url), startAgent(server.url)]);
  procs.push(a, b);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-lr-resume-'));
  const opts = ['--prior', 'both', '--n-iter', '30', '--n-reweights', '1', '--tolerance', '0'];
  const run = (out: string, extra: string[]) => new Proc(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, out),
    '--report', join(dir, `${out}.json`), ...opts, ...extra]);
  await killAndResume(run, dir, ['--nats', server.url, '--min-agents', '2', '--checkpoint-every', '10', '--wait-agents', '10'], /checkpoint at iteration (1[5-9]|2\d)\b/);
  const [lr, xr] = ['local.npy.json', 'x.npy.json'].map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  assert.equal(xr.prior.ranks.length, 60);
  assert.deepEqual(xr.prior.ranks, lr.prior.ranks);
  assert.deepEqual(xr.cost, lr.cost);
  a.kill('SIGKILL');
  b.kill('SIGKILL');
});

test('galdecon run --prior lowrank: report and plots name the prior, λ and the kept ranks; bad values exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-lr-cli-'));
  const r = galdecon(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, 'x.fits'), '--prior', 'lowrank',
    '--n-iter', '6', '--tolerance', '0', '--report', join(dir, 'r.json'), '--plots', join(dir, 'plots'), '--agents', '2', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  assert.equal(rep.prior.name, 'lowrank');
  assert.equal(rep.prior.lambda, 0.01595061211514724);
  assert.deepEqual(rep.prior.ranks, [7, 7, 7, 7, 7, 8]); // the reference's first six
  assert.equal(rep.iterations, 6);
  assert.deepEqual(rep.reweight_iterations, []);
  const svg = readFileSync(join(dir, 'plots', 'rank.svg'), 'utf8');
  assert.match(svg, /rank kept by the SVT, lowrank prior/);
  assert.match(readFileSync(join(dir, 'plots', 'cost.svg'), 'utf8'), /lowrank prior \(λ = 1\.5951e-2\)/);
  assert.match(readFileSync(join(dir, 'x.fits')).subarray(0, 2880 * 2).toString('latin1'), /GDLAMBDA=/);
  for (const [opt, value] of [['--prior', 'nuclear'], ['--lowrank-threshold', 'medium'], ['--lowrank-factor', '0']]) {
    const bad = galdecon(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, 'y.fits'), opt, value, '--quiet']);
    assert.equal(bad.code, 2, `${opt} ${value}: ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.ok(!existsSync(join(dir, 'y.fits')));
  }
});
