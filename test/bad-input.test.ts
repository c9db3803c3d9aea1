// Every bad input refused cleanly (issue 10 item 6, issue 13): for each case, the exit
// code (1 bad data, 2 bad usage), exactly one line on stderr naming the problem, no stack
// frame, nothing on stdout, and no file left behind. Commands run in-process through
// main() (they fail before any worker starts, so this is fast); the signal case spawns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { encodeNpy, encodeFits, encodeFitsImageExtension, encodeBinTable } from '../src/io/index.ts';

const root = mkdtempSync(join(tmpdir(), 'galdecon-bad-'));
const IN = join(root, 'in');
mkdirSync(IN);

// Small valid inputs: 4 objects of 16×16, a centred normalised PSF each.
const N = 4, S = 16;
const y = new Float32Array(N * S * S).map((_, i) => 1 + ((i * 7919) % 101) / 100);
const psfOne = new Float32Array(S * S);
for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) psfOne[r * S + c] = Math.exp(-((r - 8) ** 2 + (c - 8) ** 2) / 4);
const sum = psfOne.reduce((a, b) => a + b, 0);
psfOne.forEach((v, i) => { psfOne[i] = v / sum; });
const psf = new Float32Array(N * S * S);
for (let i = 0; i < N; i++) psf.set(psfOne, i * S * S);

function npy(name: string, data: Float32Array | Float64Array, shape: number[]): string {
  const p = join(IN, name);
  writeFileSync(p, encodeNpy(data, shape));
  return p;
}
function file(name: string, bytes: Uint8Array | string): string {
  const p = join(IN, name);
  writeFileSync(p, bytes);
  return p;
}
const with1 = (src: Float32Array, at: number, v: number) => { const a = Float32Array.from(src); a[at] = v; return a; };

const Y = npy('y.npy', y, [N, S, S]);
const P = npy('p.npy', psf, [N, S, S]);
const T = npy('t.npy', y, [N, S, S]);
const shifted = new Float32Array(psf.length);
for (let i = 0; i < N; i++) for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) shifted[i * S * S + r * S + ((c + 3) % S)] = psf[i * S * S + r * S + c];
const files = {
  zeroPsf: npy('zero-psf.npy', with1(psf, 0, 0).fill(0, S * S, 2 * S * S), [N, S, S]),
  constY: npy('const.npy', new Float32Array(N * S * S).fill(5), [N, S, S]),
  zeroY: npy('zero.npy', new Float32Array(N * S * S), [N, S, S]),
  bscale0: file('bscale0.fits', (() => {
    // BITPIX 16 with BSCALE = 0: every pixel reads as BZERO.
    const text = Buffer.from(encodeFits(Float32Array.from(y, (v) => Math.round(v * 100)), [N, S, S], { bitpix: 16 }));
    text.write('BSCALE  =                  0.0'.padEnd(80), text.indexOf('EXTEND  ='), 'latin1'); // in place of EXTEND
    return text;
  })()),
  huge: npy('huge.npy', with1(y, 3 * S * S + 5, 1e38), [N, S, S]),
  hugePsf: npy('huge-psf.npy', with1(psf, S * S + 2, -1e38), [N, S, S]),
  nan: npy('nan.npy', with1(y, 2 * S * S + 1, NaN), [N, S, S]),
  infPsf: npy('inf-psf.npy', with1(psf, S * S, Infinity), [N, S, S]),
  nanEst: npy('nan-est.npy', with1(y, 5, NaN), [N, S, S]),
  nanTruth: npy('nan-truth.npy', with1(y, 5, NaN), [N, S, S]),
  transposed: npy('t-shape.npy', y, [S, N, S]),
  zeroTruth: npy('zero-truth.npy', new Float32Array(N * S * S), [N, S, S]),
  p3: npy('p3.npy', psf.slice(0, 3 * S * S), [3, S, S]),
  bigPsf: npy('big-psf.npy', new Float32Array(N * 17 * 17).fill(1 / 289), [N, 17, 17]),
  small: npy('small.npy', new Float32Array(N * 49).fill(1), [N, 7, 7]),
  empty: npy('empty.npy', new Float32Array(0), [0, S, S]),
  oneD: npy('1d.npy', new Float32Array(S * S), [S * S]),
  fourD: npy('4d.npy', y, [1, N, S, S]),
  shifted: npy('shifted.npy', shifted, [N, S, S]),
  garbage: file('garbage.npy', 'not an array'),
  garbageFits: file('garbage.fits', 'SIMPLE  = T but then nothing'),
  truncated: file('trunc.fits', encodeFits(y, [N, S, S]).slice(0, 2880 + 100)),
  gz: file('y.fits.gz', 'x'),
  txt: file('y.txt', '1 2 3'),
  complex: file('complex.npy', Buffer.concat([
    Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, 118, 0]),
    Buffer.from("{'descr': '<c8', 'fortran_order': False, 'shape': (4, 16, 16), }".padEnd(117) + '\n'), Buffer.alloc(4 * 256 * 8),
  ])),
  mef: file('mef.fits', Buffer.concat([encodeFits(new Float32Array(0), []), encodeFitsImageExtension(y, [N, S, S], { extname: 'SCI' }),
    encodeBinTable([{ name: 'ID', format: 'J', values: [1, 2, 3, 4] }], { extname: 'CAT' })])),
  ids3: file('ids3.txt', 'a\nb\nc\n'),
  idsGap: file('ids-gap.txt', 'a\n\nc\nd\n'),
  dir: (() => { const d = join(IN, 'adir.npy'); mkdirSync(d); return d; })(),
  plain: file('plain.txt', 'a file'),
  sig3: npy('sig3.npy', new Float64Array(3).fill(1e-3), [3]),
  sigNeg: npy('sig-neg.npy', Float64Array.from([1e-3, 1e-3, -1, 1e-3]), [4]),
  sigText: file('sig.txt', '1e-3\n1e-3\nabc\n1e-3\n'),
  maskShape: npy('mask-shape.npy', new Float32Array(N * S * S).fill(1), [N, S * S]),
  mask2: npy('mask2.npy', with1(new Float32Array(N * S * S).fill(1), 2 * S * S + 7, 2), [N, S, S]),
  maskNan: npy('mask-nan.npy', with1(new Float32Array(N * S * S).fill(1), 9, NaN), [N, S, S]),
  // Fortran order: objects are not contiguous, the file is read whole.
  fortran: file('fortran.npy', (() => {
    const b = Buffer.from(encodeNpy(y, [N, S, S]));
    b.write("'fortran_order': True ", b.indexOf("'fortran_order': False"), 'latin1');
    return b;
  })()),
};

/** A config file in the case's own directory (listed before the command runs). */
const cfg = (dir: string, obj: unknown, text = JSON.stringify(obj)) => {
  const p = join(dir, 'config.json');
  writeFileSync(p, text);
  return p;
};

type Case = [name: string, argv: (out: string) => string[], code: 1 | 2, pattern: RegExp];
const run = (out: string, ...extra: string[]) => ['run', '--input', Y, '--psf', P, '--output', join(out, 'x.npy'), '--agents', '1', '--quiet', ...extra];
const runWith = (input: string, psfFile: string, out: string, ...extra: string[]) =>
  ['run', '--input', input, '--psf', psfFile, '--output', join(out, 'x.npy'), '--agents', '1', '--quiet', ...extra];

const CASES: Case[] = [
  // Wrong answers that used to be accepted
  ['all-zero PSF', (o) => runWith(Y, files.zeroPsf, o), 1, /PSF of object 1 is all zero/],
  ['σ = 0: constant input', (o) => runWith(files.constY, P, o), 1, /noise level .* is 0.*--noise-est/],
  ['σ = 0: all-zero input', (o) => runWith(files.zeroY, P, o), 1, /--noise-est/],
  ['σ = 0: BSCALE = 0', (o) => runWith(files.bscale0, P, o), 1, /--noise-est/],
  ['input value 1e38', (o) => runWith(files.huge, P, o), 1, /object 3 has the value 1e\+38 at pixel 5, beyond ±1e\+15 .*rescale/],
  ['PSF value -1e38', (o) => runWith(Y, files.hugePsf, o), 1, /--psf .*object 1 has the value -1e\+38/],
  ['PSF off-centre with --strict', (o) => runWith(Y, files.shifted, o, '--strict'), 1, /centroid .*object \d: off by .*--strict/],
  // Option gaps
  ['--n-iter -5', (o) => run(o, '--n-iter', '-5'), 2, /--n-iter must be an integer ≥ 1 \(got -5\)/],
  ['--partitions -3', (o) => run(o, '--partitions', '-3'), 2, /--partitions must be ≥ 1 \(got -3\)/],
  ['--noise-est -1', (o) => run(o, '--noise-est', '-1'), 2, /--noise-est must be a positive number/],
  ['--partitions 0', (o) => run(o, '--partitions', '0'), 2, /--partitions must be ≥ 1/],
  ['--kappa ,,', (o) => run(o, '--kappa', ',,'), 2, /--kappa expects comma-separated numbers/],
  ['--tolerance 0x10', (o) => run(o, '--tolerance', '0x10'), 2, /--tolerance expects a decimal number/],
  ['--config {"agents": 1e308}', (o) => run(o, '--config', cfg(o, { agents: 1e308 })), 2, /--agents expects a whole number below 2\^53/],
  ['--n-iter 1e308', (o) => run(o, '--n-iter', '1e308'), 2, /--n-iter expects a whole number below 2\^53/],
  ['simulate --size 100000', (o) => ['simulate', '--n', '1', '--size', '100000', '--out', join(o, 'sim')], 2, /--size must be in 8\.\.4096/],
  ['simulate --n 4e9', (o) => ['simulate', '--n', '4e9', '--out', join(o, 'sim')], 2, /--n 4000000000 stamps .* GiB/],
  ['metrics: NaN estimate', () => ['metrics', '--truth', T, '--estimate', files.nanEst], 1, /--estimate .*object 0 has a non-finite value/],
  ['run --truth: same length, other shape', (o) => run(o, '--truth', files.transposed), 1, /--truth .* has shape \(16, 4, 16\) but the input has \(4, 16, 16\)/],
  ['run --truth all zero', (o) => run(o, '--truth', files.zeroTruth), 1, /--truth .* is all zero/],
  ['run --truth with NaN', (o) => run(o, '--truth', files.nanTruth), 1, /--truth .*object 0 has a non-finite/],
  ['--report equal to --output', (o) => run(o, '--report', join(o, 'x.npy')), 2, /--report .* is the same file as --output/],
  ['--output equal to --input', (o) => ['run', '--input', Y, '--psf', P, '--output', Y, '--overwrite'], 2, /--output .* is the same file as --input/],
  ['--catalog equal to --report', (o) => run(o, '--report', join(o, 'r.json'), '--catalog', join(o, 'r.json')), 2, /--catalog/],
  ['--plots is a file', (o) => run(o, '--plots', files.plain), 2, /--plots .* is not a directory/],
  ['--plots under a missing directory', (o) => run(o, '--plots', join(o, 'no', 'such', 'dir')), 2, /--plots .*cannot create it/],
  // Files
  ['input .fits.gz (bad data)', (o) => runWith(files.gz, P, o), 1, /error: --input .*y\.fits\.gz: compressed FITS not supported, gunzip first/],
  ['output .fits.gz (bad usage)', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.fits.gz')], 2, /gunzip/],
  ['input .txt', (o) => runWith(files.txt, P, o), 1, /unknown file type/],
  ['output .txt', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.txt')], 2, /x\.txt: unknown file type/],
  ['missing input', (o) => runWith(join(IN, 'missing.npy'), P, o), 1, /^galdecon run: error: --input: cannot read .*missing\.npy: no such file/],
  ['input is a directory', (o) => runWith(files.dir, P, o), 1, /adir\.npy: it is a directory/],
  ['garbage .npy', (o) => runWith(files.garbage, P, o), 1, /error: --input .*garbage\.npy: not a \.npy file/],
  ['garbage FITS', (o) => runWith(files.garbageFits, P, o), 1, /garbage\.fits/],
  ['truncated FITS', (o) => runWith(files.truncated, P, o), 1, /trunc\.fits: truncated/],
  ['complex dtype', (o) => runWith(files.complex, P, o), 1, /complex dtype '<c8'/],
  ['NaN in the input names the object', (o) => runWith(files.nan, P, o), 1, /object 2 has a non-finite value \(NaN\)/],
  ['Inf in the PSF', (o) => runWith(Y, files.infPsf, o), 1, /--psf .*object 1 has a non-finite value/],
  ['3 PSFs for 4 objects', (o) => runWith(Y, files.p3, o), 1, /3 PSFs for 4 objects/],
  ['PSF larger than the stamps', (o) => runWith(Y, files.bigPsf, o), 1, /larger than the stamps/],
  ['stamps under 8 px', (o) => runWith(files.small, files.small, o), 1, /minimum is 8×8/],
  ['empty stack', (o) => runWith(files.empty, P, o), 1, /empty/],
  ['1-D input', (o) => runWith(files.oneD, P, o), 1, /expected a 3-D stack/],
  ['4-D input', (o) => runWith(files.fourD, P, o), 1, /expected a 3-D stack/],
  ['FITS HDU name missing', (o) => runWith(`${files.mef}[PSF]`, P, o), 1, /error: --input .*mef\.fits\[PSF\]: no HDU named PSF \(named HDUs: SCI, CAT\)/],
  ['FITS EXTVER missing', (o) => runWith(`${files.mef}[SCI,2]`, P, o), 1, /no HDU named SCI with EXTVER 2/],
  ['FITS HDU index out of range', (o) => runWith(`${files.mef}[7]`, P, o), 1, /has no HDU 7/],
  ['FITS table column missing', (o) => runWith(`${files.mef}[CAT][STAMP]`, P, o), 1, /no column "STAMP" \(columns: ID\)/],
  ['FITS table without a column named', (o) => runWith(`${files.mef}[CAT]`, P, o), 1, /binary table: name the column/],
  ['bad HDU selector', (o) => runWith(`${files.mef}[SCI,x]`, P, o), 2, /cannot read the HDU selector/],
  ['--noise-est file: 3 values for 4 objects', (o) => run(o, '--noise-est', files.sig3), 1, /--noise-est .*sig3\.npy has 3 values for 4 objects/],
  ['--noise-est file: a negative σ', (o) => run(o, '--noise-est', files.sigNeg), 1, /--noise-est .*: object 2 has σ = -1/],
  ['--noise-est file: not a number', (o) => run(o, '--noise-est', files.sigText), 1, /error: --noise-est .*sig\.txt: line 3 is not a number/],
  ['--noise-est neither a number nor a file', (o) => run(o, '--noise-est', join(IN, 'nosuch.npy')), 2, /--noise-est .*nosuch\.npy is neither a number nor an existing file/],
  ['--noise-est 0x1', (o) => run(o, '--noise-est', '0x1'), 2, /--noise-est 0x1 is neither a number/],
  ['--mask: other shape', (o) => run(o, '--mask', files.maskShape), 1, /--mask .* has shape \(4, 256\) but the input has \(4, 16, 16\)/],
  ['--mask: a weight of 2', (o) => run(o, '--mask', files.mask2), 1, /--mask .*: object 2 has the weight 2 at pixel 7; weights must be in \[0, 1\]/],
  ['--mask: NaN weight', (o) => run(o, '--mask', files.maskNan), 1, /object 0 has the weight NaN at pixel 9/],
  ['--prior nuclear', (o) => run(o, '--prior', 'nuclear'), 2, /^galdecon run: error: --prior expects one of sparse, lowrank, both \(got "nuclear"\)/],
  ['--lowrank-threshold medium', (o) => run(o, '--lowrank-threshold', 'medium'), 2, /--lowrank-threshold expects one of hard, soft \(got "medium"\)/],
  ['--lowrank-factor -1', (o) => run(o, '--prior', 'lowrank', '--lowrank-factor', '-1'), 2, /^galdecon run: error: --lowrank-factor must be > 0 \(got -1\)/],
  ['--lowrank-factor 0', (o) => run(o, '--prior', 'both', '--lowrank-factor', '0'), 2, /--lowrank-factor must be > 0 \(got 0\)/],
  ['--config {"lowrankFactor": -2}', (o) => run(o, '--config', cfg(o, { lowrankFactor: -2 })), 2, /--lowrank-factor must be > 0 \(got -2\)/],
  // a mask is refused with the low-rank priors before anything is read (even a mask file of the wrong shape)
  ['--prior lowrank with --mask', (o) => run(o, '--prior', 'lowrank', '--mask', files.maskShape), 2, /^galdecon run: error: --mask cannot be combined with --prior lowrank: the low-rank prior has no masked data term; drop the mask or use --prior sparse/],
  ['--prior both with --mask-nan', (o) => runWith(files.nan, P, o, '--prior', 'both', '--mask-nan'), 2, /--mask-nan cannot be combined with --prior both/],
  // the stream schedule solves partitions alone and cannot couple them (§10)
  ['--prior lowrank with --schedule stream', (o) => run(o, '--prior', 'lowrank', '--schedule', 'stream'), 2, /^galdecon run: error: --prior lowrank cannot run with --schedule stream: stream solves each partition alone, the low-rank prior couples the whole stack; use --schedule lockstep or --prior sparse/],
  ['--prior both with --schedule stream', (o) => run(o, '--prior', 'both', '--schedule', 'stream'), 2, /--prior both cannot run with --schedule stream/],
  ['NaN input without --mask-nan says how to mask', (o) => runWith(files.nan, P, o), 1, /mask NaN pixels \(run --mask-nan\)/],
  ['--ids: 3 IDs for 4 objects', (o) => run(o, '--ids', files.ids3), 1, /--ids .* has 3 IDs for 4 objects/],
  ['--ids: an empty line', (o) => run(o, '--ids', files.idsGap), 1, /line 2 has no ID/],
  ['existing output without --overwrite', (o) => { copyFileSync(Y, join(o, 'x.npy')); return run(o); }, 2, /--output: refusing to overwrite .*--overwrite/],
  ['--output in a missing directory', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'no', 'x.npy')], 2, /--output: cannot write .*does not exist/],
  ['existing report without --overwrite', (o) => { writeFileSync(join(o, 'r.json'), '{}'); return run(o, '--report', join(o, 'r.json')); }, 2, /--report: refusing to overwrite/],
  ['existing plot without --overwrite', (o) => { writeFileSync(join(o, 'cost.svg'), ''); return run(o, '--plots', o); }, 2, /--plots: refusing to overwrite .*cost\.svg/],
  ['existing catalogue without --overwrite', (o) => { writeFileSync(join(o, 'c.csv'), ''); return run(o, '--catalog', join(o, 'c.csv')); }, 2, /--catalog: refusing to overwrite/],
  // Options
  ['--wavelet haar', (o) => run(o, '--wavelet', 'haar'), 2, /--wavelet must be one of linear, b3/],
  ['--kappa 3,3', (o) => run(o, '--kappa', '3,3'), 2, /--kappa must be 3 non-negative numbers/],
  ['--kappa 3,3,-1', (o) => run(o, '--kappa', '3,3,-1'), 2, /--kappa must be 3 non-negative numbers/],
  ['--n-iter many', (o) => run(o, '--n-iter', 'many'), 2, /--n-iter expects a whole number/],
  ['--n-iter 1.5', (o) => run(o, '--n-iter', '1.5'), 2, /--n-iter expects a whole number/],
  ['--tolerance -1', (o) => run(o, '--tolerance', '-1'), 2, /--tolerance must be ≥ 0/],
  ['--tolerance Infinity', (o) => run(o, '--tolerance', 'Infinity'), 2, /--tolerance expects a decimal number/],
  ['--tau 0', (o) => run(o, '--tau', '0'), 2, /--tau must be a positive number/],
  ['--tau 1e38 with --strict', (o) => run(o, '--tau', '1e38', '--strict'), 2, /--tau 1e\+38 and --dual-step 0\.5 break the step bound .*refused with --strict/],
  ['--dual-step -1', (o) => run(o, '--dual-step', '-1'), 2, /--dual-step must be a positive number/],
  ['--relax 2', (o) => run(o, '--relax', '2'), 2, /--relax \(ρ\) must be in \(0, 2\)/],
  ['--cost-window 0', (o) => run(o, '--cost-window', '0'), 2, /--cost-window must be an integer ≥ 1/],
  ['--n-reweights -1', (o) => run(o, '--n-reweights', '-1'), 2, /--n-reweights must be an integer ≥ 0/],
  ['--agents 0', (o) => run(o, '--agents', '0'), 2, /--agents must be ≥ 1/],
  ['--bitpix 16', (o) => run(o, '--bitpix', '16'), 2, /--bitpix must be -32 or -64/],
  ['--catalog .txt', (o) => run(o, '--catalog', join(o, 'c.txt')), 2, /--catalog .*\.fits .* or \.csv/],
    ['unknown option', (o) => run(o, '--bogus'), 2, /--bogus/],
  ['--input missing', (o) => ['run', '--psf', P, '--output', join(o, 'x.npy')], 2, /--input is required/],
  ['--checkpoint-every without --nats', (o) => run(o, '--checkpoint-every', '5'), 2, /--checkpoint-every needs --nats/],
  ['--resume without --nats', (o) => run(o, '--resume'), 2, /--resume needs --nats/],
  ['--max-agents without --nats', (o) => run(o, '--max-agents', '2'), 2, /--max-agents needs --nats/],
  ['--wait-agents -1', (o) => run(o, '--wait-agents', '-1'), 2, /--wait-agents must be ≥ 0/],
  ['--wait-agents without --nats', (o) => run(o, '--wait-agents', '5'), 2, /--wait-agents needs --nats/],
  ['--min-agents without --nats', (o) => run(o, '--min-agents', '1'), 2, /--min-agents needs --nats/],
  ['--agents with --nats', (o) => run(o, '--nats', 'nats://127.0.0.1:1'), 2, /--agents counts local worker threads; with --nats, use --min-agents/],
  ['--max-agents below --min-agents', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.npy'), '--nats', 'nats://127.0.0.1:1', '--min-agents', '3', '--max-agents', '2'], 2, /--max-agents 2 is below --min-agents 3/],
  ['--ack-wait without --nats', (o) => run(o, '--schedule', 'stream', '--ack-wait', '5'), 2, /--ack-wait needs --nats/],
  ['--ack-wait with lockstep', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.npy'), '--nats', 'nats://127.0.0.1:1', '--ack-wait', '5'], 2, /--ack-wait applies to --schedule stream/],
  ['--ack-wait 0.5', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.npy'), '--nats', 'nats://127.0.0.1:1', '--schedule', 'stream', '--ack-wait', '0.5'], 2, /--ack-wait must be in 1\.\.3600 \(got 0\.5\)/],
  ['--ack-wait soon', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.npy'), '--nats', 'nats://127.0.0.1:1', '--schedule', 'stream', '--ack-wait', 'soon'], 2, /--ack-wait expects a decimal number/],
  ['--shared-input without --nats', (o) => run(o, '--shared-input'), 2, /--shared-input needs --nats/],
  ['--shared-input with a stack read whole', (o) => ['run', '--input', files.fortran, '--psf', P, '--output', join(o, 'x.npy'), '--nats', 'nats://127.0.0.1:1', '--shared-input', '--quiet'], 1, /--input .*fortran\.npy cannot be read by offset .*run without --shared-input/],
  ['agent --shared-input not a directory', () => ['agent', '--nats', 'nats://127.0.0.1:1', '--shared-input', files.plain], 2, /--shared-input .*plain\.txt is not a directory/],
  ['--run-id with spaces', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.npy'), '--nats', 'nats://127.0.0.1:1', '--run-id', 'a b'], 2, /--run-id takes/],
  // --config
  ['--config {"n_iter": 5}', (o) => run(o, '--config', cfg(o, { n_iter: 5 })), 2, /unknown key "n_iter"; did you mean "n-iter"\?/],
  ['--config {"n-itr": 100}', (o) => run(o, '--config', cfg(o, { 'n-itr': 100 })), 2, /unknown key "n-itr"; did you mean "n-iter"\?/],
  ['--config {"sigma_d": 1}', (o) => run(o, '--config', cfg(o, { sigmaDual: 1 })), 2, /unknown key "sigmaDual"; did you mean/],
  ['--config {"kappa": "x"}', (o) => run(o, '--config', cfg(o, { kappa: 'x' })), 2, /--kappa expects/],
  ['--config missing', (o) => run(o, '--config', join(IN, 'none.json')), 2, /--config .*cannot read it/],
  ['--config not JSON', (o) => run(o, '--config', cfg(o, null, '{n-iter: 5}')), 2, /not valid JSON/],
  ['--config an array', (o) => run(o, '--config', cfg(o, [1, 2])), 2, /expected a JSON object/],
  // metrics and simulate
  ['metrics: shapes differ', () => ['metrics', '--truth', T, '--estimate', files.transposed], 1, /--estimate .* has shape \(16, 4, 16\)/],
  ['metrics: all-zero truth', () => ['metrics', '--truth', files.zeroTruth, '--estimate', T], 1, /truth stack is all zero/],
  ['metrics: --per-object .txt', (o) => ['metrics', '--truth', T, '--estimate', T, '--per-object', join(o, 'c.txt')], 2, /--per-object .*\.csv/],
  ['metrics: --observed without --per-object', () => ['metrics', '--truth', T, '--estimate', T, '--observed', Y], 2, /go with --per-object/],
  ['simulate --n 0', (o) => ['simulate', '--n', '0', '--out', join(o, 'sim')], 2, /--n must be ≥ 1/],
  ['simulate --noise -1', (o) => ['simulate', '--n', '1', '--noise', '-1', '--out', join(o, 'sim')], 2, /--noise must be ≥ 0/],
  ['simulate --out is a file', () => ['simulate', '--n', '1', '--out', files.plain], 2, /--out .* is not a directory/],
  ['simulate --out under a missing directory', (o) => ['simulate', '--n', '1', '--out', join(o, 'a', 'b')], 2, /--out: cannot write .*directory .* does not exist/],
  ['agent --threads 0', () => ['agent', '--nats', 'nats://127.0.0.1:1', '--threads', '0'], 2, /--threads must be ≥ 1 \(got 0\)/],
  ['run --agents 1000 (above 4 per core)', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.npy'), '--agents', '1000'], 2, /--agents 1000 .*--oversubscribe/],
  ['run --oversubscribe with --nats', (o) => ['run', '--input', Y, '--psf', P, '--output', join(o, 'x.npy'), '--nats', 'nats://127.0.0.1:1', '--oversubscribe'], 2, /--oversubscribe applies to local --agents/],
  ['unknown command', () => ['deconvolve'], 2, /unknown command "deconvolve"/],
  ['--log-json: the error is a JSON line', (o) => runWith(Y, files.zeroPsf, o, '--log-json'), 1, /^\{"time":"[^"]+","level":"error","msg":"--psf .*all zero[^"]*","code":"E_INPUT","exit":1\}\n$/],
];

test(`bad input: ${CASES.length} cases, each one clean line, the right exit code, no file left`, async () => {
  assert.ok(CASES.length >= 60);
  const inputsBefore = readdirSync(IN).sort();
  const failures: string[] = [];
  for (const [k, [name, argv, code, pattern]] of CASES.entries()) {
    const out = join(root, `case-${k}`);
    mkdirSync(out);
    const args = argv(out);
    const before = readdirSync(out).sort();
    let stdout = '';
    let stderr = '';
    const got = await main(args, { out: (s) => { stdout += s; }, err: (s) => { stderr += s; } });
    const lines = stderr.trimEnd().split('\n');
    const problems = [
      got !== code && `exit ${got}, expected ${code}`,
      lines.length !== 1 && `${lines.length} stderr lines`,
      !pattern.test(stderr) && `stderr does not match ${pattern}`,
      /\n\s+at /.test(stderr) && 'stack frames',
      stdout !== '' && 'output on stdout',
      readdirSync(out).sort().join() !== before.join() && `files left: ${readdirSync(out).join(', ')}`,
    ].filter(Boolean);
    if (problems.length) failures.push(`${name}: ${problems.join('; ')}\n    ${stderr.trimEnd()}`);
  }
  assert.deepEqual(readdirSync(IN).sort(), inputsBefore, 'files written next to the inputs');
  assert.equal(failures.length, 0, `\n${failures.join('\n')}`);
});

test('the existing output is left as it was when refused', () => {
  const k = CASES.findIndex((c) => c[0].startsWith('existing output'));
  assert.deepEqual(readFileSync(join(root, `case-${k}`, 'x.npy')), readFileSync(Y));
});

test('SIGINT and SIGTERM during a write remove its temporary file', () => {
  const dir = mkdtempSync(join(root, 'sig-'));
  const script = `
    import { stageBytes } from ${JSON.stringify(new URL('../src/io/index.ts', import.meta.url).href)};
    import { cleanUpOnSignals } from ${JSON.stringify(new URL('../src/cli/main.ts', import.meta.url).href)};
    cleanUpOnSignals('run');
    await stageBytes(${JSON.stringify(join(dir, 'x.fits'))}, new Uint8Array(1 << 20));
    process.stdout.write(String((await import('node:fs')).readdirSync(${JSON.stringify(dir)}).length));
    process.kill(process.pid, process.argv.at(-1));
    setTimeout(() => {}, 5000);
  `;
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, sig], { encoding: 'utf8' });
    assert.equal(r.stdout, '1', `the temporary file was not there: ${r.stderr}`);
    assert.equal(r.status, code, r.stderr);
    assert.match(r.stderr, new RegExp(`interrupted \\(${sig}\\); nothing was written`));
    assert.deepEqual(readdirSync(dir), [], `${sig}: temporary file left`);
  }
});
