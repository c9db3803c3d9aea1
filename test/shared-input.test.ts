// --shared-input: agents read their partitions from the input files themselves (the paper's
// distributed file system), over NATS in both schedules, with the same bits as the driver
// sending the pixels — an addressed FITS HDU, per-object PSFs, a mask and NaN pixels
// masked included. An agent reads only files under its --shared-input directories, and
// refuses a partition whose values differ from the driver's (digest), or any shared
// partition when it was started without --shared-input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsAvailable } from './support/nats-server.ts';
import { Proc, startAgent } from './support/galdecon-procs.ts';
import { CLI_OPTS, P_PATH, Y, natsFixture, sameBits } from './support/nats-runs.ts';
import { encodeFits, encodeFitsImageExtension, encodeNpy, readArray } from '../src/io/index.ts';
import { Agent } from '../src/cluster/agent.ts';
import { PROTOCOL_VERSION, decodeReply, encode, type PartitionSpec } from '../src/cluster/protocol.ts';
import { resolveOptions } from '../src/solver/index.ts';
import { sharedOpener } from '../src/cli/shared-input.ts';

const skip = !natsAvailable();
const fixture = natsFixture(skip);
const dir = mkdtempSync(join(tmpdir(), 'galdecon-shared-'));
const shared = join(dir, 'shared');
const other = join(dir, 'other');
mkdirSync(shared);
mkdirSync(other);
// The example stack as a float64 SCI extension (the reference's values), its PSFs as they are.
const yFits = join(shared, 'survey.fits');
writeFileSync(yFits, Buffer.concat([encodeFits(new Float32Array(0), []), encodeFitsImageExtension(Y.data as Float64Array, Y.shape, { extname: 'SCI' })]));
const psfs = join(shared, 'psfs.npy');
copyFileSync(P_PATH, psfs);

const run = (args: string[]) => new Proc(['run', '--psf', psfs, ...CLI_OPTS, ...args]);

test('agents read the partitions themselves: lockstep and stream over NATS give the reference bits; masks and NaN pixels too', { skip }, async () => {
  const agents = await startAgent(fixture.server.url, 2, { args: ['--shared-input', shared] });
  fixture.procs.push(agents);
  assert.match(agents.stderr, /shared input read from /);
  const nats = ['--nats', fixture.server.url, '--min-agents', '2', '--shared-input', '--quiet'];
  for (const [schedule, partitions] of [['lockstep', '3'], ['stream', '5']]) {
    const out = join(dir, `x-${schedule}.npy`);
    const p = run(['--input', `${yFits}[SCI]`, '--output', out, ...nats, '--schedule', schedule, '--partitions', partitions]);
    assert.equal(await p.exited, 0, p.stderr);
    assert.ok(sameBits((await readArray(out)).data as Float32Array, fixture.reference.x), `${schedule} with --shared-input differs`);
  }

  // A mask with NaN pixels under a weight of 0, and others masked by --mask-nan: as a local run.
  const y = Float32Array.from(Y.data);
  const w = Float32Array.from(y, (_, q) => (q % 11 === 0 ? 0 : q % 5 === 0 ? 0.5 : 1));
  for (const q of [0, 1681 * 40 + 7, 1681 * 99 + 12]) y[q] = NaN; // under weight 0, then masked by --mask-nan
  const [yNan, mask] = [join(shared, 'y-nan.npy'), join(shared, 'mask.npy')];
  writeFileSync(yNan, encodeNpy(y, Y.shape));
  writeFileSync(mask, encodeNpy(w, Y.shape));
  const masked = ['--input', yNan, '--mask', mask, '--mask-nan', '--quiet'];
  const local = run([...masked, '--output', join(dir, 'm-local.npy'), '--agents', '2']);
  const viaFiles = run([...masked, '--output', join(dir, 'm-shared.npy'), ...nats, '--schedule', 'stream', '--partitions', '4']);
  assert.equal(await local.exited, 0, local.stderr);
  assert.equal(await viaFiles.exited, 0, viaFiles.stderr);
  assert.ok(readFileSync(join(dir, 'm-local.npy')).equals(readFileSync(join(dir, 'm-shared.npy'))), 'masked run with --shared-input differs');

  // A file outside the agents' directories is not read: the run fails, naming it.
  const outside = join(other, 'y.fits');
  copyFileSync(yFits, outside);
  const refused = run(['--input', `${outside}[SCI]`, '--output', join(dir, 'refused.npy'), ...nats, '--schedule', 'stream']);
  assert.equal(await refused.exited, 1);
  assert.match(refused.stderr, /error: .*--shared-input: .*other\/y\.fits\[SCI\] is outside the directories this agent reads/);
  agents.kill('SIGKILL');
});

test('an agent refuses a shared partition whose values are not the driver\'s, or any without --shared-input', async () => {
  const spec: PartitionSpec = {
    partition: 0, first: 4, n: 4, ny: 41, nx: 41, psfCount: 4, ky: 41, kx: 41, sigma: 1e-3, options: resolveOptions({ nIter: 2 }),
    y: new Float32Array(0), psfs: new Float32Array(0),
    files: { y: { spec: `${yFits}[SCI]`, size: statSync(yFits).size }, psf: { spec: psfs, size: statSync(psfs).size }, digest: '0'.repeat(64) },
  };
  const solve = encode({ v: PROTOCOL_VERSION, type: 'solve', run: 'r1', spec });
  const answer = async (agent: Agent) => {
    const r = decodeReply(await agent.handle(solve));
    assert.equal(r.type, 'error');
    return r as { code: string; message: string };
  };
  const changed = await answer(new Agent({ openShared: sharedOpener([shared]) }));
  assert.equal(changed.code, 'E_INPUT');
  assert.match(changed.message, /partition 0 as read here from .*survey\.fits\[SCI\], .*psfs\.npy differs from the driver's/);
  // The driver saw another size: a different file under the same name.
  const resized = await answer(new Agent({ openShared: (f) => sharedOpener([shared])({ ...f, size: f.size + 1 }) }));
  assert.equal(resized.code, 'E_INPUT');
  assert.match(resized.message, /survey\.fits\[SCI\] has \d+ bytes on this host and \d+ on the driver's: it is not the same file/);
  const none = await answer(new Agent());
  assert.equal(none.code, 'E_UNSUPPORTED');
  assert.match(none.message, /this agent reads no shared input files: start it with --shared-input DIR/);
});
