// The stream schedule (--schedule stream): with the stopping rule off, the same bits and
// the same global costs as lockstep for any agents and partitions; with it on, each
// partition is exactly the single-process solver run on that partition alone, and the
// report says what each did. Option errors are clear and exit 2.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDistributed, LocalTransport } from '../src/cluster/index.ts';
import { solve, type Stack } from '../src/solver/index.ts';
import { parseNpy } from '../src/io/index.ts';
import { streamProgressText } from '../src/cli/progress.ts';
import { galdecon } from './helpers.ts';
import { OPTS, P, P_PATH, Y, Y_PATH, localRun, sameBits } from './support/nats-runs.ts';

async function streamRun(agents: number, partitions: number | undefined, opts = OPTS) {
  const transport = new LocalTransport(agents);
  try {
    return await runDistributed(Y, P, opts, { transport, partitions, schedule: 'stream' });
  } finally {
    await transport.close();
  }
}

function slice(s: Stack, first: number, n: number): Stack {
  const per = s.shape[1] * s.shape[2];
  return { data: s.data.slice(first * per, (first + n) * per), shape: [n, s.shape[1], s.shape[2]] } as Stack;
}

test('tolerance 0: stream = lockstep bit for bit, costs included, for (agents, partitions) (1,1) (2,3) (2,8) (3,7)', async () => {
  const lockstep = await localRun(Y, P, OPTS, 2, 4);
  for (const [k, n] of [[1, 1], [2, 3], [2, 8], [3, 7]]) {
    const r = await streamRun(k, n);
    assert.equal(r.schedule, 'stream');
    assert.equal(r.partitions, n);
    assert.ok(sameBits(r.x, lockstep.x), `stream K=${k} N=${n} differs from lockstep`);
    assert.deepEqual(r.cost, lockstep.cost);
    assert.deepEqual(r.costIterations, lockstep.costIterations);
    assert.deepEqual(r.reweightIterations, lockstep.reweightIterations);
    assert.equal(r.iterations, 40);
    assert.deepEqual(r.partitionResults!.map((p) => p.iterations), new Array(n).fill(40));
  }
});

test('stopping rule on: each partition stops on its own cost, exactly as the solver on that partition alone', async () => {
  const opts = {};
  const r = await streamRun(2, 5, opts);
  const parts = r.partitionResults!;
  assert.equal(parts.length, 5);
  for (const p of parts) {
    const alone = await solve(slice(Y, p.first, p.n), slice(P, p.first, p.n), { ...opts, noiseEst: r.noiseSigma });
    assert.equal(p.iterations, alone.iterations, `partition ${p.partition}`);
    assert.equal(p.converged, alone.converged, `partition ${p.partition}`);
    assert.equal(p.final_cost, alone.cost.at(-1));
    const per = 41 * 41;
    assert.ok(sameBits(r.x.subarray(p.first * per, (p.first + p.n) * per), alone.x), `partition ${p.partition}: x differs`);
  }
  // On this data the partitions stop at different iterations: the semantic difference is real.
  assert.ok(new Set(parts.map((p) => p.iterations)).size > 1, 'every partition ran the same iterations');
  assert.equal(r.iterations, Math.max(...parts.map((p) => p.iterations)));
  assert.equal(r.converged, parts.every((p) => p.converged));
});

test('galdecon run --schedule stream: report.json holds each partition; bad schedule options exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-stream-'));
  const out = join(dir, 'x.npy');
  const report = join(dir, 'r.json');
  const r = galdecon(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', out, '--report', report,
    '--schedule', 'stream', '--agents', '2', '--partitions', '5', '--n-iter', '40', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.equal(rep.schedule, 'stream');
  assert.equal(rep.partition_results.length, 5);
  for (const p of rep.partition_results) {
    for (const k of ['partition', 'first', 'n', 'iterations', 'converged', 'final_cost']) assert.ok(k in p, `partition_results lacks ${k}`);
  }
  assert.equal(rep.iterations, Math.max(...rep.partition_results.map((p: { iterations: number }) => p.iterations)));
  assert.equal(parseNpy(readFileSync(out), out).shape.join(), '100,41,41');

  for (const [args, message] of [
    [['--schedule', 'bulk'], /--schedule must be lockstep or stream \(got bulk\)/],
    [['--schedule', 'stream', '--checkpoint-every', '5', '--nats', 'nats://127.0.0.1:1'], /--checkpoint-every works with --schedule lockstep only/],
  ] as const) {
    const bad = join(dir, 'bad.npy');
    const e = galdecon(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', bad, ...args]);
    assert.equal(e.code, 2, e.stderr);
    assert.match(e.stderr, message);
    assert.equal(e.stderr.trim().split('\n').length, 1, e.stderr);
    assert.ok(!existsSync(bad));
  }
});

test('stream progress: objects per second and ETA from the objects finished', () => {
  assert.equal(streamProgressText({ partitionsDone: 3, partitions: 10, objectsDone: 300, objects: 1000, elapsedS: 6 }),
    'partitions 3/10  objects 300/1000  50 objects/s  ETA 14.0 s');
  assert.equal(streamProgressText({ partitionsDone: 0, partitions: 10, objectsDone: 0, objects: 1000, elapsedS: 0 }),
    'partitions 0/10  objects 0/1000  0 objects/s  ETA ?');
});

test('an agent whose partitions pass one Wasm instance\'s room uses more instances: lockstep output unchanged', async () => {
  const { Agent } = await import('../src/cluster/index.ts');
  const { Batch } = await import('../src/solver/index.ts');
  // Room for two partitions of 25 objects per instance: 4 partitions on one agent need 2 instances.
  const agent = new Agent({ instanceBytes: 2 * Batch.bytes(25, 41, 41) });
  const transport = {
    agents: async () => [{ id: 'in-process', request: (bytes: Uint8Array) => agent.handle(bytes) }],
    close: async () => {},
  };
  const seen: number[] = [];
  const lockstep = await localRun(Y, P, OPTS, 1, 4);
  const r = await runDistributed(Y, P, OPTS, {
    transport, partitions: 4,
    onProgress: () => seen.push(agent.instanceCount),
  });
  assert.equal(Math.max(...seen), 2);
  assert.ok(sameBits(r.x, lockstep.x), 'output differs when the partitions are spread over two instances');
});
