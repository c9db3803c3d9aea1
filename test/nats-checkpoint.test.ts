// Checkpoints over a real nats-server. The run's object store seals an object where it
// lies and reads back only what it stored under that name and run key (an altered,
// moved or foreign object reads as missing), and deletes a checkpoint's objects in one
// request. A neighbour without the run key who overwrites every checkpoint object of a
// run changes nothing: the partitions of a killed agent are then rebuilt by replay, with
// the local-mode bits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from 'nats';
import { natsAvailable } from './support/nats-server.ts';
import { startAgent } from './support/galdecon-procs.ts';
import { natsFixture, natsRun, sameBits } from './support/nats-runs.ts';
import { Keys } from '../src/cluster/nats/auth.ts';
import { Objects, bucketOf } from '../src/cluster/nats/wire.ts';

const skip = !natsAvailable();
const SECRET = 'checkpoint-test-deployment-secret-01';
const secret = new TextEncoder().encode(SECRET);
const fixture = natsFixture(skip);

const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

test('the object store: sealed in place, read back only under its name and key, a checkpoint deleted in one request', { skip }, async () => {
  const nc = await connect({ servers: fixture.server.url });
  try {
    const run = 'ckpt-objects';
    const store = new Objects(nc, new Keys(secret), run, true);
    await store.ensure();
    // 3 MB: several chunks. One body laid out by the store (sealed where it lies), one not.
    const big = pattern(3_000_000, 1);
    const laid = store.allocate(big.byteLength);
    laid.set(big);
    await store.put('ck.7.0', laid);
    assert.ok(laid.every((v, i) => v === big[i]), 'sealing changed the body');
    await store.put('ck.7.1', pattern(5000, 2));
    await store.put('ck.70.0', pattern(5000, 3));
    assert.deepEqual(await store.get('ck.7.0'), big);
    assert.deepEqual(await store.get('ck.7.1'), pattern(5000, 2));

    const kv = await nc.jetstream().views.kv(bucketOf(run));
    const raw = async (key: string) => (await kv.get(key))!.value;
    // Moved to another name: missing. Read with another deployment's key: missing.
    await kv.put('ck.9.1.c0', await raw('ck.7.1.c0'));
    await kv.put('ck.9.1', await raw('ck.7.1'));
    assert.equal(await store.get('ck.9.1'), null);
    assert.equal(await new Objects(nc, new Keys(new TextEncoder().encode('another-secret')), run, false).get('ck.7.1'), null);
    // One byte of one chunk altered: missing.
    const chunk = Uint8Array.from(await raw('ck.7.0.c1'));
    chunk[chunk.byteLength >> 1] ^= 1;
    await kv.put('ck.7.0.c1', chunk);
    assert.equal(await store.get('ck.7.0'), null);

    // Every object of checkpoint 7, and only those, in one request.
    await store.deleteAll('ck.7');
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    assert.deepEqual(keys.sort(), ['ck.70.0', 'ck.70.0.c0', 'ck.9.1', 'ck.9.1.c0']);
    assert.equal(await store.get('ck.7.1'), null);
    assert.deepEqual(await store.get('ck.70.0'), pattern(5000, 3));
    await store.destroy();
  } finally {
    await nc.close();
  }
});

test('a neighbour without the run key overwrites every checkpoint object; an agent is killed: rebuilt by replay, identical output', { skip }, async () => {
  const procs = await Promise.all([0, 1].map(() => startAgent(fixture.server.url, 1, { env: { GALDECON_SECRET: SECRET } })));
  fixture.procs.push(...procs);
  const run = 'ckpt-hostile';
  const attacker: NatsConnection = await connect({ servers: fixture.server.url, name: 'hostile', noEcho: true });
  let forged = 0;
  let stopped = false;
  // Overwrite each checkpoint object (chunks and manifests) as soon as it is written.
  const attack = (async () => {
    let kv;
    for (;;) {
      if (stopped) return;
      try {
        await attacker.jetstreamManager().then((m) => m.streams.info(`KV_${bucketOf(run)}`));
        kv = await attacker.jetstream().views.kv(bucketOf(run), { bindOnly: true });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const watch = await kv.watch({ key: 'ck.>', include: 'updates' as never });
    for await (const e of watch) {
      if (stopped) break;
      if (e.operation !== 'PUT' || e.value[0] === 0x45) continue; // 'E': our own
      await kv.put(e.key, new TextEncoder().encode(`EVIL ${e.key}`)).then(() => forged++, () => {});
    }
  })();
  const log: string[] = [];
  let struck = false;
  try {
    const r = await natsRun({ url: fixture.server.url, secret, minAgents: 2, maxAgents: 2, lostAfterMs: 2000 }, {
      runId: run, partitions: 4, checkpointEvery: 5, log: (l) => log.push(l),
      // The kill comes once a checkpoint from iteration 20 on is complete (the attacker has
      // overwritten its objects by then), however long its upload took on a loaded machine.
      onProgress: () => {
        if (!struck && log.some((l) => /checkpoint at iteration ([2-3][0-9])/.test(l))) {
          struck = true;
          procs[0].kill('SIGKILL');
        }
      },
    });
    assert.ok(sameBits(r.x, fixture.reference.x), `output differs:\n${log.join('\n')}`);
    assert.deepEqual(r.cost, fixture.reference.cost);
    assert.ok(forged > 0, 'the attacker overwrote nothing');
    assert.ok(struck, `no checkpoint from iteration 20 on was complete before the run ended:\n${log.join('\n')}`);
    assert.ok(log.some((l) => /checkpoint \d+ of partition \d+ is unavailable; replaying from the start/.test(l)), `no replay:\n${log.join('\n')}`);
  } finally {
    stopped = true;
    await attacker.close();
    await attack.catch(() => {});
    for (const p of procs) p.kill('SIGKILL');
  }
});
