// Failures over a real nats-server, each ending with output bit-identical to an
// undisturbed local run: an agent SIGKILLed at a random iteration (several seeds, with
// and without checkpoints), the server restarted mid-run, the driver killed and resumed;
// and, with no agent left, a clear failure without output.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServer, natsAvailable } from './support/nats-server.ts';
import { Proc, killAndResume, startAgent } from './support/galdecon-procs.ts';
import { OPTS, P, P_PATH, Y, Y_PATH, localRun, natsRun, sameBits, tiled } from './support/nats-runs.ts';
import type { DistributedResult } from '../src/cluster/index.ts';

const skip = !natsAvailable();
let server: NatsServer;
let reference: DistributedResult;
const procs: Proc[] = [];

async function agents(n: number): Promise<Proc[]> {
  const ps = await Promise.all(Array.from({ length: n }, () => startAgent(server.url)));
  procs.push(...ps);
  return ps;
}

async function stopAll(): Promise<void> {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
}

/** mulberry32: a seeded iteration to strike at. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

before(async () => {
  if (skip) return;
  [server, reference] = await Promise.all([NatsServer.start(), localRun(Y, P)]);
});

after(async () => {
  if (skip) return;
  await stopAll();
  await server.dispose();
});

for (const seed of [1, 2, 3]) {
  test(`an agent SIGKILLed at a random iteration (seed ${seed}${seed > 1 ? ', with checkpoints' : ''})`, { skip }, async () => {
    const rand = seeded(seed);
    const [a, b] = await agents(2);
    const victim = rand() < 0.5 ? a : b;
    const at = 1 + Math.floor(rand() * 38);
    const log: string[] = [];
    let struck = false; // progress comes once per barrier (up to 4 iterations)
    const r = await natsRun({ url: server.url, minAgents: 2, maxAgents: 2, lostAfterMs: 2000 }, {
      partitions: 5,
      checkpointEvery: seed > 1 ? 7 : 0,
      log: (l) => log.push(l),
      onProgress: (p) => {
        if (!struck && p.iteration >= at) {
          struck = true;
          victim.kill('SIGKILL');
        }
      },
    });
    assert.ok(log.some((l) => /lost; moving partition/.test(l)), `no recovery logged: ${log.join('\n')}`);
    assert.ok(sameBits(r.x, reference.x), `seed ${seed}: output differs after a kill at iteration ${at}`);
    assert.deepEqual(r.cost, reference.cost);
    assert.equal(r.agents, 1, 'the result counts the agents that finished the run');
    await stopAll();
  });
}

test('stream schedule: an agent SIGKILLed mid-partition; JetStream redelivers its tasks after the ack wait, identical output', { skip }, async () => {
  const y = tiled(Y, 16);
  const psf = tiled(P, 16);
  const want = await localRun(y, psf, OPTS, 2, 8);
  const [a, b] = await agents(2);
  const log: string[] = [];
  let victim: Proc | undefined;
  const r = await natsRun({ url: server.url, minAgents: 2, maxAgents: 2, lostAfterMs: 2000, ackWaitMs: 1500 }, {
    partitions: 8, schedule: 'stream',
    log: (l) => log.push(l),
    // At the first result both agents hold tasks (one solving, one waiting): one of them dies with its work.
    onStreamProgress: () => {
      if (victim) return;
      victim = log.length % 2 === 0 ? a : b;
      victim.kill('SIGKILL');
    },
  }, y, psf);
  const survivor = victim === a ? b : a;
  assert.match(survivor.stderr, /partition \d+ of run \w+: delivery 2 /, `no redelivery:\n${survivor.stderr}`);
  assert.ok(sameBits(r.x, want.x), 'output differs after an agent was killed mid-partition');
  assert.deepEqual(r.cost, want.cost);
  assert.equal(r.partitionResults!.length, 8);
  await stopAll();
});

test('the NATS server restarted mid-run (persistent store): clients reconnect, identical output', { skip }, async () => {
  await agents(2);
  let restart: Promise<void> | undefined;
  const r = await natsRun({ url: server.url, minAgents: 2, maxAgents: 2 }, {
    partitions: 4,
    checkpointEvery: 5,
    onProgress: (p) => { if (p.iteration === 12) restart = server.restart(300); },
  });
  await restart;
  assert.ok(restart, 'the restart did not happen');
  assert.ok(sameBits(r.x, reference.x));
  await stopAll();
});

// Killed after a checkpoint before the reweight (after iteration 100, history entry 25 of
// steps of 4 iterations: such a checkpoint holds no W, it is W⁽⁰⁾ again on restore), and
// after one past it (it holds W). A checkpoint due while the last is still being stored
// is taken a barrier or so later: hence the ranges.
for (const [when, at, entries] of [['before', /checkpoint at iteration ([4-9]\d)\b/, [10, 25]], ['after', /checkpoint at iteration (1[2-9]\d)\b/, [27, 50]]] as const) {
  test(`the driver killed mid-run, then --resume: continues from its checkpoint ${when} the reweight, identical output`, { skip }, async () => {
    await agents(2);
    const dir = mkdtempSync(join(tmpdir(), 'galdecon-resume-'));
    const opts = ['--n-iter', '100', '--n-reweights', '1', '--tolerance', '0'];
    const run = (out: string, extra: string[]) => new Proc(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, out), ...opts, ...extra]);
    const from = await killAndResume(run, dir, ['--nats', server.url, '--min-agents', '2', '--checkpoint-every', '20', '--wait-agents', '10'], at);
    // The record names the last complete checkpoint: the one the kill followed, or a later one.
    assert.ok(from >= entries[0] && from <= entries[1], `resumed at history entry ${from}`);
    await stopAll();
  });
}

test('no agent left: the driver waits, then fails clearly without output', { skip }, async () => {
  const [a] = await agents(1);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-noagent-'));
  const p = new Proc(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, 'x.npy'), '--n-iter', '300', '--tolerance', '0',
    '--nats', server.url, '--wait-agents', '1']);
  await p.waitFor(/found 1 agent/);
  await new Promise((r) => setTimeout(r, 300));
  a.kill('SIGKILL');
  assert.equal(await p.exited, 1);
  assert.match(p.stderr, /error: no agent left for the run \(waited 1 s for a replacement\)/);
  assert.deepEqual(readdirSync(dir), []);
});

test('--min-agents more than answer: the driver waits --wait-agents, then fails clearly without output', { skip }, async () => {
  await agents(1);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-minagents-'));
  const p = new Proc(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, 'x.npy'),
    '--nats', server.url, '--min-agents', '3', '--wait-agents', '1']);
  assert.equal(await p.exited, 1);
  assert.match(p.stderr, /error: only 1 of the 3 agents asked for \(--min-agents\) answered on .* within 1 s; start more agents or lower --min-agents\n$/);
  assert.deepEqual(readdirSync(dir), []);
  await stopAll();
});
