// The stream schedule over NATS, on the JetStream work queue: the same bits as lockstep
// for several (agents, partitions); a late result for a partition already taken changes
// nothing; and a driver killed mid-run, then --resume'd, reads its finished partitions
// back instead of solving them again, with the same output. (An agent killed
// mid-partition: nats-faults.test.ts; hostile messages on the queue: nats-hostile.test.ts.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { natsAvailable } from './support/nats-server.ts';
import { Proc, startAgent } from './support/galdecon-procs.ts';
import { OPTS, P, P_PATH, Y, Y_PATH, natsFixture, localRun, natsRun, sameBits } from './support/nats-runs.ts';
import { decodeDone, encode, PROTOCOL_VERSION, type Done, type Reply } from '../src/cluster/protocol.ts';
import { Keys, CONTEXT, OBJECT_HEADER, sealObject, unsealObject } from '../src/cluster/nats/auth.ts';
import { Objects } from '../src/cluster/nats/wire.ts';
import type { DistributedResult } from '../src/cluster/index.ts';

const skip = !natsAvailable();
const SECRET = 'stream-nats-test-secret-0123456789';
const secret = new TextEncoder().encode(SECRET);
const fixture = natsFixture(skip);
const { procs } = fixture;

test('JetStream queue, tolerance 0: stream = lockstep bit for bit, costs included, for (agents, partitions) (1,1) (2,3) (3,7)', { skip }, async () => {
  const agents = await startAgent(fixture.server.url, 3, { env: { GALDECON_SECRET: SECRET } });
  procs.push(agents);
  for (const [k, n] of [[1, 1], [2, 3], [3, 7]]) {
    const r = await natsRun({ url: fixture.server.url, secret, minAgents: k, maxAgents: k }, { partitions: n, schedule: 'stream' });
    assert.ok(sameBits(r.x, fixture.reference.x), `stream over NATS K=${k} N=${n} differs from lockstep`);
    assert.deepEqual(r.cost, fixture.reference.cost);
    assert.deepEqual(r.costIterations, fixture.reference.costIterations);
    assert.equal(r.agents, k);
    assert.deepEqual(r.partitionResults!.map((p) => p.iterations), new Array(n).fill(40));
  }
  // Each run's queue and store are gone once it completed.
  const nc = await connect({ servers: fixture.server.url });
  const jsm = await nc.jetstreamManager();
  const streams = (await jsm.streams.list().next()).map((s) => s.config.name);
  await nc.close();
  assert.deepEqual(streams.filter((s) => /^galdecon-q-|^KV_galdecon-r[0-9a-f]{10}/.test(s)), []);
  agents.kill('SIGKILL');
});

test('a late result for a partition already taken (an authentic one, x all 7.0) changes no bit', { skip }, async () => {
  const agents = await startAgent(fixture.server.url, 2, { env: { GALDECON_SECRET: SECRET } });
  procs.push(agents);
  const run = 'late-result';
  const nc = await connect({ servers: fixture.server.url });
  const keys = new Keys(secret);
  let late: Promise<void> | undefined;
  // A slow agent of the run: once a partition's result record appears, its own comes.
  const sub = nc.subscribe(`$KV.galdecon-${run}.done.*`, {
    callback: (_e, msg) => {
      if (late) return;
      const name = msg.subject.slice(msg.subject.indexOf('done.'));
      const got = unsealObject(keys.objects(run), CONTEXT.object(run, name), msg.data);
      if (!got) return;
      const real = decodeDone(got);
      late = (async () => {
        const objects = new Objects(nc, keys, run, false);
        const object = `x.${real.epoch}.${real.partition}.slow`;
        const x = new Float32Array(20 * 41 * 41).fill(7);
        const reply: Reply = {
          v: PROTOCOL_VERSION, type: 'solved', partition: real.partition, x, iterations: 40, converged: false,
          phaseIterations: [20, 20], reweightIterations: [20], costs: [], costIterations: [],
        };
        await objects.put(object, encode(reply));
        const done: Done = { ...real, object, agent: 'slow' };
        // The claim of a second writer fails…
        assert.equal(await objects.claim(name, encode(done), () => false), false);
        // …and even a record written over the first one is not taken again.
        const kv = await nc.jetstream().views.kv(`galdecon-${run}`, { bindOnly: true });
        const body = encode(done);
        const frame = new Uint8Array(OBJECT_HEADER + body.byteLength);
        frame.set(body, OBJECT_HEADER);
        sealObject(keys.objects(run), CONTEXT.object(run, name), frame);
        await kv.put(name, frame);
      })();
    },
  });
  try {
    const r = await natsRun({ url: fixture.server.url, secret, minAgents: 2, maxAgents: 2 }, { partitions: 5, schedule: 'stream', runId: run });
    await late;
    assert.ok(late, 'no result record was seen');
    assert.ok(sameBits(r.x, fixture.reference.x), 'a late result changed the output');
    assert.ok(r.partitionResults!.every((p) => p.agent !== 'slow'));
  } finally {
    sub.unsubscribe();
    await nc.close();
    agents.kill('SIGKILL');
  }
});

test('the driver killed mid-run, then --resume: finished partitions are read back, not solved again; identical output', { skip }, async () => {
  const agent = await startAgent(fixture.server.url, 1);
  procs.push(agent);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-stream-resume-'));
  const opts = ['--n-iter', '150', '--n-reweights', '1', '--tolerance', '0', '--schedule', 'stream', '--partitions', '10'];
  const run = (out: string, extra: string[]) => new Proc(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, out),
    '--report', join(dir, `${out}.json`), ...opts, ...extra]);
  const local = run('local.npy', ['--agents', '2', '--quiet', '--schedule', 'lockstep']);
  const nats = ['--nats', fixture.server.url, '--wait-agents', '10'];
  const first = run('x.npy', nats);
  const solved = /partition (\d+) of run \w+ solved/g;
  await agent.waitFor(/(partition \d+ of run \w+ solved[^]*){2}/, 60_000);
  first.kill('SIGKILL');
  await first.exited;
  const before = new Set([...agent.stderr.matchAll(solved)].map((m) => Number(m[1])));
  const mark = agent.stderr.length;
  assert.ok(!existsSync(join(dir, 'x.npy')), 'the killed driver wrote output');
  assert.ok(before.size >= 2 && before.size < 10, `${before.size} partitions solved before the kill`);

  const second = run('x.npy', [...nats, '--resume', '--ack-wait', '4.5']);
  assert.equal(await second.exited, 0, second.stderr);
  assert.match(second.stderr, /work queue galdecon-q-\w+: 1 agent joined; a task is given to another agent 4\.5 s after/);
  const resumed = Number(/resumed: (\d+) of 10 partitions were finished before/.exec(second.stderr)?.[1]);
  assert.ok(resumed >= before.size, second.stderr);
  const after = [...agent.stderr.slice(mark).matchAll(solved)].map((m) => Number(m[1]));
  assert.deepEqual(after.filter((p) => before.has(p)), [], 'a finished partition was solved again');
  assert.equal(await local.exited, 0, local.stderr);
  assert.ok(readFileSync(join(dir, 'local.npy')).equals(readFileSync(join(dir, 'x.npy'))), 'resumed output differs');
  const rep = JSON.parse(readFileSync(join(dir, 'x.npy.json'), 'utf8'));
  const marked = rep.partition_results.filter((p: { resumed?: boolean }) => p.resumed).map((p: { partition: number }) => p.partition);
  assert.equal(marked.length, resumed);
  for (const p of before) assert.ok(marked.includes(p), `partition ${p} not marked resumed`);
  agent.kill('SIGKILL');
});
