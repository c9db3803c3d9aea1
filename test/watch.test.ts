// The view a watched run builds from the driver's events (cli/watch.ts), and the times
// the loop gives its costs (interpolated within a barrier, the barrier's last one measured).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunWatch } from '../src/cli/watch.ts';
import { iterate, resolveOptions, type Stepper } from '../src/solver/index.ts';
import { Agent } from '../src/cluster/agent.ts';
import { MAX_SAMPLE, PROTOCOL_VERSION, decodeReply, decodeRequest, encode, type Request } from '../src/cluster/protocol.ts';

const stacks = {
  y: { data: new Float32Array(4 * 64).fill(1), shape: [4, 8, 8] },
  psf: { data: Float32Array.from({ length: 9 }, (_, i) => (i === 4 ? 1 : 0)), shape: [3, 3] },
};

test('the view follows placements, losses, replacements and progress', async () => {
  let changes = 0;
  const w = new RunWatch({
    title: 't', options: {}, inputs: {}, software: {}, totalIterations: 20, stacks, objects: [0, 3], stretch: 'asinh',
    onChange: () => { changes++; },
  });
  const v = w.view;
  for (let p = 0; p < 4; p++) w.onEvent({ type: 'placed', partition: p, agent: `a${p % 2}` });
  w.onEvent({
    type: 'start', run: 'r', shape: [4, 8, 8], sigma: 0.1, options: resolveOptions({}), setupS: 0.5, resumed: false,
    partitions: [0, 1, 2, 3].map((i) => ({ first: i, n: 1 })), agents: ['a0', 'a1'],
  });
  assert.equal(v.status, 'running');
  assert.deepEqual(v.agents.map((a) => [a.id, a.state, a.partitions]), [['a0', 'working', 2], ['a1', 'working', 2]]);
  w.onEvent({ type: 'replied', agent: 'a0', request: 'step', partitions: [0, 2], iterations: 4, ms: 100 });
  assert.equal(v.agents[0].rate, (2 * 4) / 0.1);
  w.onEvent({ type: 'progress', progress: {
    iteration: 4, phase: 0, elapsedS: 2, remaining: 16,
    costs: [1, 2, 3, 4].map((i) => ({ iteration: i, cost: 10 / i, timeS: i / 2 })),
    tests: [{ iteration: 4, diff: 0.5, converged: false }],
  } });
  assert.deepEqual(v.cost.iteration, [1, 2, 3, 4]);
  assert.equal(v.throughput, (4 * 4) / 2);
  assert.equal(v.etaS, (2 / 4) * 16);
  // a1 is lost: its partitions move to a0 and a replacement a2 joins
  w.onEvent({ type: 'agent-lost', agent: 'a1', partitions: [1, 3] });
  assert.equal(v.agents[1].state, 'lost');
  w.onEvent({ type: 'agent-joined', agent: 'a2' });
  w.onEvent({ type: 'placed', partition: 1, agent: 'a0' });
  w.onEvent({ type: 'placed', partition: 3, agent: 'a2' });
  assert.equal(v.partitions[3].state, 'building');
  assert.equal(v.agents[1].state, 'lost', 'replaced before its partitions are rebuilt');
  w.onEvent({ type: 'built', partition: 1, agent: 'a0' });
  w.onEvent({ type: 'built', partition: 3, agent: 'a2' });
  assert.deepEqual(v.agents.map((a) => [a.id, a.state, a.partitions, a.replacement]),
    [['a0', 'working', 3, false], ['a1', 'replaced', 0, false], ['a2', 'working', 1, true]]);
  assert.deepEqual(v.events.filter((e) => e.kind === 'moved').map((e) => e.text),
    ['partition 1 moved from a1 to a0', 'partition 3 moved from a1 to a2']);
  w.onEvent({ type: 'sample', iteration: 4, objects: [0, 3], x: new Float32Array(2 * 64).fill(0.5), memory: { a0: 1 << 20 } });
  assert.equal(v.agents[0].memory, 1 << 20);
  assert.ok(!w.view.mosaic, 'drawn after the driver has moved on, not in its callback');
  await new Promise((r) => setImmediate(r));
  assert.match(v.mosaic?.png ?? '', /^data:image\/png;base64,iVBORw0KGgo/);
  assert.equal(w.mosaicVersion, 1);
  w.onEvent({ type: 'reweight', iteration: 4 });
  assert.deepEqual(v.reweights, [{ iteration: 4, timeS: 2 }]);
  w.onEvent({ type: 'done', iterations: 4, converged: false });
  w.finish({ output: 'x.fits' });
  assert.equal(v.status, 'finished');
  assert.ok(changes >= 15);
});

test('cost times: the barrier\'s last is measured, the others interpolated by iteration', async () => {
  const stamps: number[] = [];
  const stepper: Stepper = {
    async advance(k, evaluate) {
      await new Promise((r) => setTimeout(r, 30));
      stamps.push(performance.now());
      return evaluate ? Array.from({ length: k }, (_, i) => 100 / (stamps.length * 4 + i)) : [];
    },
    async reweight() {},
  };
  const r = await iterate(stepper, { nIter: 8, nReweights: 0, tolerance: 0, costWindow: 1 });
  assert.deepEqual(r.costIterations, [1, 2, 3, 4, 5, 6, 7, 8]);
  for (let i = 1; i < 8; i++) assert.ok(r.costTimes[i] > r.costTimes[i - 1], `times not increasing at ${i}`);
  // equal steps within each barrier of 4 iterations
  for (const b of [0, 4]) {
    const d = [1, 2, 3].map((j) => r.costTimes[b + j] - r.costTimes[b + j - 1]);
    for (const x of d) assert.ok(Math.abs(x - d[0]) < 1e-9, `uneven steps ${d}`);
  }
  // a barrier's first cost comes a quarter of the barrier after its start, which is at or
  // after the previous barrier's end
  const step = r.costTimes[7] - r.costTimes[6];
  assert.ok(step > 0.005, `a barrier of 4 × 30 ms / 4 gives steps of ${step} s`);
  assert.ok(r.costTimes[4] - r.costTimes[3] >= step - 1e-9);
});

test('sample requests: bounded, checked, and read-only on the agent', async () => {
  const n = 6, ny = 8, nx = 8, npix = ny * nx;
  const y = Float32Array.from({ length: n * npix }, (_, i) => Math.abs(Math.sin(i)));
  const psfs = Float32Array.from({ length: 9 }, (_, i) => (i === 4 ? 0.6 : 0.05));
  const spec = { partition: 0, first: 0, n, ny, nx, psfCount: 1, ky: 3, kx: 3, sigma: 0.1, options: resolveOptions({}), y, psfs };
  const ask = async (agent: Agent, req: object) => decodeReply(await agent.handle(encode({ v: PROTOCOL_VERSION, run: 'r', ...req } as Request)));
  const watched = new Agent(), plain = new Agent();
  for (const a of [watched, plain]) {
    assert.equal((await ask(a, { type: 'assign', spec })).type, 'ok');
    await ask(a, { type: 'step', partitions: [0], iterations: 4, evaluate: true, op: 0 });
  }
  const s = await ask(watched, { type: 'sample', picks: [[0, 5], [0, 1]] });
  assert.equal(s.type, 'sampled');
  if (s.type !== 'sampled') return;
  assert.ok(s.memory > 0);
  for (const a of [watched, plain]) await ask(a, { type: 'step', partitions: [0], iterations: 4, evaluate: true, op: 1 });
  const xw = await ask(watched, { type: 'collect', partition: 0 });
  const xp = await ask(plain, { type: 'collect', partition: 0 });
  assert.ok(xw.type === 'collected' && xp.type === 'collected');
  assert.ok(Buffer.from(xw.x.buffer, xw.x.byteOffset, xw.x.byteLength).equals(Buffer.from(xp.x.buffer, xp.x.byteOffset, xp.x.byteLength)), 'sampling changed the state');
  // the sample was object 5 then object 1 after 4 iterations: compare with a fresh agent's collect
  const fresh = new Agent();
  await ask(fresh, { type: 'assign', spec });
  await ask(fresh, { type: 'step', partitions: [0], iterations: 4, evaluate: true, op: 0 });
  const x4 = await ask(fresh, { type: 'collect', partition: 0 });
  assert.ok(x4.type === 'collected');
  assert.deepEqual([...s.x], [...x4.x.subarray(5 * npix, 6 * npix), ...x4.x.subarray(npix, 2 * npix)]);
  // bounded and checked
  const many = Array.from({ length: MAX_SAMPLE + 1 }, (): [number, number] => [0, 0]);
  assert.throws(() => decodeRequest(encode({ v: PROTOCOL_VERSION, type: 'sample', run: 'r', picks: many })), /malformed message: picks/);
  assert.throws(() => decodeRequest(encode({ v: PROTOCOL_VERSION, type: 'sample', run: 'r', picks: [[0]] } as unknown as Request)), /picks/);
  const bad = await ask(watched, { type: 'sample', picks: [[3, 0]] });
  assert.equal(bad.type, 'error');
  const out = await ask(watched, { type: 'sample', picks: [[0, 6]] });
  assert.equal(out.type, 'error');
});
