// The cluster as a shared service, over a real nats-server: leases free agents from a
// driver that died (SIGINT) or an agent that was paused and woke up stale; two runs
// started together share the agents and both give their solo bits; a second driver of
// the same run fails at once (or, with --resume, waits its turn); a server that lost
// its store under --checkpoint-every still gives identical output; an agent's memory
// does not grow over runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsAvailable } from './support/nats-server.ts';
import { Proc, startAgent } from './support/galdecon-procs.ts';
import { P, P_PATH, Y, Y_PATH, natsFixture, localRun, natsRun, sameBits, tiled } from './support/nats-runs.ts';
import type { DistributedResult } from '../src/cluster/index.ts';
import type { Stack } from '../src/solver/index.ts';

const skip = !natsAvailable();
const SECRET = 'service-test-deployment-secret-0123';
const env = { GALDECON_SECRET: SECRET };
const secret = new TextEncoder().encode(SECRET);
const fixture = natsFixture(skip);
const { procs } = fixture;

async function agents(threads: number, lease = 2): Promise<Proc> {
  const p = await startAgent(fixture.server.url, threads, { env, args: ['--lease', String(lease)] });
  procs.push(p);
  return p;
}

function stopAgents(): void {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
}

/** The first `n` objects of a stack. */
function head(s: Stack, n: number): Stack {
  const per = s.shape[1] * s.shape[2];
  return { data: s.data.slice(0, n * per), shape: [n, s.shape[1], s.shape[2]] } as Stack;
}

test('leases: a driver SIGINTed mid-run frees its agents within the lease; a paused agent wakes and rejoins cleanly', { skip }, async () => {
  const host = await agents(2, 2);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-lease-'));
  const first = new Proc(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, 'x.npy'), '--n-iter', '2000', '--tolerance', '0',
    '--nats', fixture.server.url, '--min-agents', '2', '--partitions', '4'], { env });
  procs.push(first);
  await first.waitFor(/found 2 agents/);
  await new Promise((r) => setTimeout(r, 500));
  first.kill('SIGINT');
  await first.exited;
  const t0 = Date.now();
  let found = 0;
  const r = await natsRun({ url: fixture.server.url, secret, minAgents: 2, maxAgents: 2, log: (l) => { if (/found 2 agents/.test(l)) found = Date.now(); } }, { partitions: 4 });
  assert.ok(found > 0);
  const waited = (found - t0) / 1000;
  assert.ok(waited <= 2 + 2, `the new run started ${waited.toFixed(1)} s after the SIGINT (lease 2 s)`);
  assert.ok(sameBits(r.x, fixture.reference.x));
  assert.match(host.stderr, /no word from the driver of run \w+ for \d+ s: releasing it/);

  // An agent paused mid-run (SIGSTOP) is taken for lost; woken, it releases the stale run
  // and serves the next one.
  const paused = await agents(1, 2);
  let stopped = false;
  const log: string[] = [];
  const second = await natsRun({ url: fixture.server.url, secret, minAgents: 3, maxAgents: 3, lostAfterMs: 1500, log: (l) => log.push(l) }, {
    partitions: 6,
    log: (l) => log.push(l),
    onProgress: (p) => {
      if (!stopped && p.iteration >= 8) {
        stopped = true;
        paused.child.kill('SIGSTOP');
      }
    },
  });
  paused.child.kill('SIGCONT');
  assert.ok(log.some((l) => /lost; moving partition/.test(l)), log.join('\n'));
  assert.ok(sameBits(second.x, fixture.reference.x));
  await paused.waitFor(/left run/, 10_000);
  const third = await natsRun({ url: fixture.server.url, secret, minAgents: 3, maxAgents: 3 }, { partitions: 6 });
  assert.equal(third.agents, 3);
  assert.ok(sameBits(third.x, fixture.reference.x));
  stopAgents();
});

test('two runs started together on the same two agents both finish, each bit-identical to its solo run', { skip }, async () => {
  await agents(2);
  const y2 = head(tiled(Y, 2), 150);
  const p2 = head(tiled(P, 2), 150);
  const opts = { nIter: 30, nReweights: 1, tolerance: 0 };
  const [soloA, soloB] = await Promise.all([localRun(Y, P, opts), localRun(y2, p2, opts)]);
  const logs: string[][] = [[], []];
  const [a, b] = await Promise.all([
    natsRun({ url: fixture.server.url, secret, log: (l) => logs[0].push(l) }, { partitions: 4, log: (l) => logs[0].push(l) }, Y, P, opts),
    natsRun({ url: fixture.server.url, secret, log: (l) => logs[1].push(l) }, { partitions: 5, log: (l) => logs[1].push(l) }, y2, p2, opts),
  ]);
  assert.ok(sameBits(a.x, soloA.x), `run A differs from its solo run:\n${logs[0].join('\n')}`);
  assert.ok(sameBits(b.x, soloB.x), `run B differs from its solo run:\n${logs[1].join('\n')}`);
  assert.deepEqual(a.cost, soloA.cost);
  assert.deepEqual(b.cost, soloB.cost);
  stopAgents();
});

test('the same run id twice: the second driver fails at once, clearly; with --resume it waits its turn', { skip }, async () => {
  await agents(2);
  const opts = { nIter: 150, nReweights: 1, tolerance: 0 };
  const want = await localRun(Y, P, opts);
  let started!: () => void;
  const going = new Promise<void>((r) => { started = r; });
  const first = natsRun({ url: fixture.server.url, secret }, { runId: 'twice', partitions: 4, onProgress: () => started() }, Y, P, opts);
  await going;
  const t0 = Date.now();
  await assert.rejects(natsRun({ url: fixture.server.url, secret }, { runId: 'twice' }, Y, P, opts),
    /run twice is already running: another driver holds it \(wait for it to end, or add --resume to wait and then continue it\)/);
  assert.ok(Date.now() - t0 < 3000, 'the second driver did not fail at once');
  const log: string[] = [];
  const waiting = natsRun({ url: fixture.server.url, secret, log: (l) => log.push(l) }, { runId: 'twice', resume: true }, Y, P, opts);
  const [a, b] = await Promise.all([first, waiting]);
  assert.ok(log.some((l) => /run twice is held by another driver; waiting for it to end/.test(l)), log.join('\n'));
  assert.ok(sameBits(a.x, want.x) && sameBits(b.x, want.x));
  stopAgents();
});

test('the server restarted with an empty store under --checkpoint-every: identical output', { skip }, async () => {
  await agents(2);
  let restart: Promise<void> | undefined;
  const log: string[] = [];
  const r = await natsRun({ url: fixture.server.url, secret, minAgents: 2, log: (l) => log.push(l) }, {
    partitions: 4,
    checkpointEvery: 5,
    log: (l) => log.push(l),
    onProgress: (p) => { if (p.iteration >= 12 && !restart) restart = fixture.server.restart(300, { wipe: true }); },
  });
  await restart;
  assert.ok(restart, 'the restart did not happen');
  assert.ok(sameBits(r.x, fixture.reference.x), log.join('\n'));
  assert.deepEqual(r.cost, fixture.reference.cost);
  assert.ok(log.some((l) => /checkpoint at iteration (1[5-9]|[2-9]\d)/.test(l)), `no checkpoint after the restart:\n${log.join('\n')}`);
  stopAgents();
});

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]);
}

test("an agent's memory after 50 runs is within 20 % of after 5 (1 MB partitions)", { skip }, async () => {
  const host = await agents(1);
  const y = tiled(Y, 2); // 200 objects: one 1.3 MB partition
  const p = tiled(P, 2);
  const opts = { nIter: 1, nReweights: 0, tolerance: 0 };
  let after5 = 0;
  for (let k = 1; k <= 50; k++) {
    await natsRun({ url: fixture.server.url, secret }, { partitions: 1 }, y, p, opts);
    if (k === 5) after5 = rssKb(host.child.pid!);
  }
  const after50 = rssKb(host.child.pid!);
  process.stderr.write(`# agent RSS: ${(after5 / 1024).toFixed(0)} MiB after 5 runs, ${(after50 / 1024).toFixed(0)} MiB after 50\n`);
  assert.ok(after50 <= 1.2 * after5, `RSS grew from ${after5} kB after 5 runs to ${after50} kB after 50`);
  stopAgents();
});
