// The live view of a NATS run: agents' heartbeats, an agent killed mid-run shows as lost
// then replaced, its partitions as moved, and checkpoints as events — read from the
// view's /state.json while the driver lingers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServer, natsAvailable } from './support/nats-server.ts';
import { Proc, startAgent } from './support/galdecon-procs.ts';
import { galdecon } from './helpers.ts';

const skip = !natsAvailable();

async function state(url: string): Promise<any> {
  const r = await fetch(`${url}state.json`);
  assert.equal(r.status, 200);
  return r.json();
}

test('a NATS run watched: heartbeats, a lost agent replaced, partitions moved, checkpoints', { skip, timeout: 180_000 }, async () => {
  const server = await NatsServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-nats-serve-'));
  const procs: Proc[] = [];
  try {
    assert.equal(galdecon(['simulate', '--n', '1200', '--seed', '5', '--out', dir]).code, 0);
    procs.push(await startAgent(server.url, 1), await startAgent(server.url, 1));
    const run = new Proc(['run', '--input', join(dir, 'observed.fits'), '--psf', join(dir, 'psfs.fits'), '--output', join(dir, 'x.npy'),
      '--n-iter', '150', '--n-reweights', '1', '--tolerance', '0', '--nats', server.url, '--min-agents', '2', '--partitions', '4',
      '--checkpoint-every', '40', '--wait-agents', '20', '--serve', '127.0.0.1:0', '--serve-linger', '60']);
    procs.push(run);
    await run.waitFor(/live view at (http\S+)/, 30_000);
    const url = /live view at (http\S+)/.exec(run.stderr)![1];
    await run.waitFor(/checkpoint at iteration 40/, 90_000);
    const mid = await state(url);
    assert.equal(mid.status, 'running');
    assert.equal(mid.agents.length, 2);
    for (const a of mid.agents) {
      assert.equal(a.state, 'working');
      assert.ok(mid.now - a.heartbeat < 3000, `agent ${a.id}: last heartbeat ${mid.now - a.heartbeat} ms ago`);
      assert.ok(a.rate > 0, `agent ${a.id}: no rate`);
    }
    const victim = mid.agents[0].id;
    procs[0].kill('SIGKILL');
    await run.waitFor(/stays up for 60 s/, 120_000);
    const end = await state(url);
    assert.equal(end.status, 'finished');
    assert.equal(end.iteration, 300);
    const lost = end.agents.find((a: any) => a.id === victim);
    assert.equal(lost.state, 'replaced');
    assert.equal(lost.partitions, 0);
    assert.equal(end.partitions.filter((p: any) => p.agent === victim).length, 0);
    const kinds = end.events.map((e: any) => e.kind);
    for (const k of ['lost', 'moved', 'checkpoint', 'reweight']) assert.ok(kinds.includes(k), `no ${k} event in ${kinds}`);
    assert.match(end.events.find((e: any) => e.kind === 'lost').text, new RegExp(`agent ${victim} lost; moving partitions? `));
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await server.dispose();
  }
});
