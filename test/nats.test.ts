// NATS mode against a real nats-server: output bit-identical to local mode for 1, 2 and
// 3 agents and several partition counts, through the library and the CLI; a partition
// far above the 1 MiB max_payload moves through the object store.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { NatsServer, natsAvailable } from './support/nats-server.ts';
import { BIN, Proc, startAgent } from './support/galdecon-procs.ts';
import { CLI_OPTS, OPTS, P, P_PATH, Y, Y_PATH, localRun, natsRun, sameBits, tiled } from './support/nats-runs.ts';
import { runDistributed, LocalTransport, type DistributedResult } from '../src/cluster/index.ts';
import { solve } from '../src/solver/index.ts';

const skip = !natsAvailable();
let server: NatsServer;
let agents: Proc;
let reference: DistributedResult;

before(async () => {
  if (skip) return;
  [server, reference] = await Promise.all([NatsServer.start(), localRun(Y, P)]);
  agents = await startAgent(server.url, 3);
});

after(async () => {
  if (skip) return;
  agents.kill('SIGTERM');
  await agents.exited;
  await server.dispose();
});

test('agent --help', () => {
  const r = spawnSync(process.execPath, [BIN, 'agent', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  for (const o of ['--nats', '--threads', '--nats-user', '--nats-pass', '--nats-token', '--nats-creds', '--tls-ca', '--tls-cert', '--tls-key']) {
    assert.ok(r.stdout.includes(o), `agent --help lacks ${o}`);
  }
});

test('1, 2 and 3 agents, several partition counts: bit-identical to local mode', { skip }, async () => {
  for (const [k, partitions] of [[1, 1], [1, 5], [2, 2], [2, 7], [3, 3], [3, 12], [3, 25]]) {
    const r = await natsRun({ url: server.url, minAgents: k, maxAgents: k }, { partitions });
    assert.equal(r.agents, k);
    assert.equal(r.partitions, partitions);
    assert.ok(sameBits(r.x, reference.x), `${k} agents × ${partitions} partitions differ from local mode`);
    assert.deepEqual(r.cost, reference.cost);
  }
});

test('--schedule stream over NATS, tolerance 0: bit-identical to lockstep for 1, 2 and 3 agents', { skip }, async () => {
  for (const [k, partitions] of [[1, 3], [2, 5], [3, 11]]) {
    const r = await natsRun({ url: server.url, minAgents: k, maxAgents: k }, { partitions, schedule: 'stream' });
    assert.equal(r.schedule, 'stream');
    assert.equal(r.agents, k);
    assert.ok(sameBits(r.x, reference.x), `stream, ${k} agents × ${partitions} partitions differs from lockstep`);
    assert.deepEqual(r.cost, reference.cost);
  }
});

test('galdecon run --nats writes the same file as --agents', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-nats-'));
  const run = (out: string, extra: string[]) => spawnSync(process.execPath,
    [BIN, 'run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, out), ...CLI_OPTS, '--quiet', ...extra], { encoding: 'utf8' });
  const local = run('local.npy', ['--agents', '2']);
  assert.equal(local.status, 0, local.stderr);
  const nats = run('nats.npy', ['--nats', server.url, '--partitions', '5', '--wait-agents', '10']);
  assert.equal(nats.status, 0, nats.stderr);
  assert.ok(readFileSync(join(dir, 'local.npy')).equals(readFileSync(join(dir, 'nats.npy'))));
});

test('a partition far above 1 MiB (≈ 11 MB of inputs) moves without a max_payload error', { skip }, async () => {
  const y = tiled(Y, 8);
  const psf = tiled(P, 8);
  const opts = { nIter: 2, nReweights: 0, tolerance: 0 };
  const want = await localRun(y, psf, opts, 1, 1);
  const got = await natsRun({ url: server.url, maxAgents: 1 }, { partitions: 1 }, y, psf, opts);
  assert.ok(sameBits(got.x, want.x));
  assert.equal(got.x.byteLength, 800 * 41 * 41 * 4);
});

test('no agent: a clear error within --wait-agents, and no output', { skip }, async () => {
  const empty = await NatsServer.start();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'galdecon-nats-'));
    const out = join(dir, 'x.npy');
    const p = new Proc(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', out, ...CLI_OPTS, '--quiet', '--nats', empty.url, '--wait-agents', '1']);
    assert.equal(await p.exited, 1);
    assert.match(p.stderr, /no galdecon agent answered on nats:\/\/127\.0\.0\.1:\d+ within 1 s/);
    // One error line (the example PSFs' centroid warning may precede it).
    assert.equal(p.stderr.trim().split('\n').filter((l) => !/^galdecon run: warning:/.test(l)).length, 1, p.stderr);
    assert.ok(!existsSync(out));
  } finally {
    await empty.dispose();
  }
});

test('per-object σ_i and a mask travel with each partition: NATS equals local and the in-process solver, bit for bit', { skip }, async () => {
  const n = Y.shape[0];
  const sigma = Float64Array.from({ length: n }, (_, i) => 3e-4 * (1 + (i % 7) / 10));
  const mask = Float32Array.from({ length: Y.data.length }, (_, q) => (q % 13 === 5 ? 0 : q % 3 === 0 ? 0.5 : 1));
  const perObject = { sigma, mask };
  const local = new LocalTransport(2);
  let viaLocal: DistributedResult;
  try {
    viaLocal = await runDistributed(Y, P, OPTS, { transport: local, partitions: 3, perObject });
  } finally {
    await local.close();
  }
  const viaNats = await natsRun({ url: server.url, minAgents: 3 }, { partitions: 5, perObject });
  const alone = await solve(Y, P, OPTS, { perObject });
  assert.ok(sameBits(viaNats.x, viaLocal.x), 'NATS and local differ');
  assert.ok(sameBits(alone.x, viaLocal.x), 'the in-process solver differs');
  assert.deepEqual(viaNats.cost, viaLocal.cost);
  assert.deepEqual(Array.from(viaNats.noiseSigmas!), Array.from(sigma));
  assert.ok(!sameBits(viaNats.x, reference.x), 'σ_i and the mask changed nothing');
});
