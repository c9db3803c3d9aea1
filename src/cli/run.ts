// `galdecon run`: deconvolve a stack of stamps with their PSFs, on local agents (worker
// threads) or — with --nats — on agents anywhere. Output only appears, complete, at the
// end: nothing is written before the run has succeeded.

import { availableParallelism } from 'node:os';
import { InputError, OptionError } from '../errors.ts';
import { readArray, writeArray, formatOf, requireWritable, type FitsCard } from '../io/index.ts';
import { runDistributed, checkAgentCount, LocalTransport, NatsTransport, type DistributedResult, type Transport } from '../cluster/index.ts';
import { NATS_OPTIONS, natsOptionsFrom } from './nats-options.ts';
import { DEFAULT_OPTIONS, psfShape, psfSumWarning, resolveOptions, stackShape, type SolverOptions } from '../solver/index.ts';
import type { NdArray } from '../io/index.ts';
import type { RunStacks } from './pictures.ts';
import { buildReport, reportJson, writePlots, softwareInfo, type RunReport } from '../report/report.ts';
import { formatMetrics } from '../report/metrics.ts';
import { STRETCHES, type Stretch } from '../report/mosaic.ts';
import { reportHtml, uplotVersion } from '../report/page.ts';
import { writeTextAtomic } from '../io/index.ts';
import { Kernels } from '../kernels/index.ts';
import { checkServeAccess, parseServeAddress, startServer, type LiveServer } from '../serve/server.ts';
import { parseCommand, helpText, type CommandSpec, type Parsed } from './args.ts';
import { progressLine } from './progress.ts';
import { mosaicObjects, mosaicRows, pickObjects } from './pictures.ts';
import { RunWatch } from './watch.ts';
import { liveAssets } from '../report/page.ts';

export const RUN: CommandSpec = {
  name: 'run',
  summary: 'deconvolve a stack of galaxy stamps, each with its own PSF',
  usage: 'galdecon run --input Y --psf P --output X [options]',
  options: {
    input: { kind: 'string', arg: 'FILE', help: 'observed stamps, (N, ny, nx) FITS or .npy', required: true },
    psf: { kind: 'string', arg: 'FILE', help: 'PSFs: (N, ky, kx) one per object, or (ky, kx) shared', required: true },
    output: { kind: 'string', arg: 'FILE', help: 'deconvolved stamps (.fits/.fit/.fts or .npy)', required: true },
    truth: { kind: 'string', arg: 'FILE', help: 'clean truth stack: adds quality metrics to the report' },
    report: { kind: 'string', arg: 'FILE', help: 'write a JSON report of the run' },
    plots: { kind: 'string', arg: 'DIR', help: 'write cost.svg and mosaic.png into DIR' },
    html: { kind: 'string', arg: 'FILE', help: 'write a self-contained HTML report of the run (charts, mosaic, agents, options)' },
    stretch: { kind: 'string', arg: STRETCHES.join('|'), help: 'display stretch of the mosaic', default: 'asinh' },
    'mosaic-objects': { kind: 'numbers', arg: 'I,J,…', help: 'objects shown in the mosaic (default: 8 evenly spaced)' },
    serve: { kind: 'string', arg: '[HOST:]PORT', help: 'serve a live view of the run on HOST (default 127.0.0.1) and PORT (0: any free port)' },
    'serve-token': { kind: 'string', arg: 'T', help: 'token the live view requires (or GALDECON_SERVE_TOKEN); needed off loopback' },
    'serve-linger': { kind: 'number', arg: 'SECONDS', help: 'keep the live view up this long after the run ends', default: 0 },
    wavelet: { kind: 'string', arg: 'linear|b3', help: 'à trous wavelet of the sparsity prior', default: DEFAULT_OPTIONS.wavelet },
    kappa: { kind: 'numbers', arg: 'K0,K1,K2', help: 'threshold multipliers per band', default: DEFAULT_OPTIONS.kappa },
    'n-iter': { kind: 'integer', help: 'iterations per phase', default: DEFAULT_OPTIONS.nIter },
    'n-reweights': { kind: 'integer', help: 'reweighting phases after the first', default: DEFAULT_OPTIONS.nReweights },
    tolerance: { kind: 'number', arg: 'T', help: 'stopping-rule tolerance; 0 runs every iteration', default: DEFAULT_OPTIONS.tolerance },
    'cost-window': { kind: 'integer', help: 'evaluate the cost every N iterations', default: DEFAULT_OPTIONS.costWindow },
    tau: { kind: 'number', help: 'primal step τ', default: DEFAULT_OPTIONS.tau },
    sigma: { kind: 'number', help: 'dual step σ', default: DEFAULT_OPTIONS.sigmaD },
    relax: { kind: 'number', help: 'relaxation ρ', default: DEFAULT_OPTIONS.rho },
    'noise-est': { kind: 'number', arg: 'S', help: 'noise σ (default: 1.4826·MAD of the whole stack)' },
    'no-positivity': { kind: 'boolean', help: 'do not constrain the solution to x ≥ 0' },
    partitions: { kind: 'integer', help: 'partitions of the stack (default: 2 × agents)' },
    agents: { kind: 'integer', help: 'local agents (worker threads; at most 4 per core)', default: availableParallelism() },
    oversubscribe: { kind: 'boolean', help: 'allow --agents above 4 per core' },
    nats: { kind: 'string', arg: 'URL', help: 'run on `galdecon agent`s reached through this NATS server instead' },
    'wait-agents': { kind: 'number', arg: 'SECONDS', help: 'with --nats: how long to wait for agents (at the start, or when none is left)', default: 30 },
    'min-agents': { kind: 'integer', help: 'with --nats: wait for at least this many agents', default: 1 },
    'max-agents': { kind: 'integer', help: 'with --nats: use at most this many agents' },
    'checkpoint-every': { kind: 'integer', arg: 'N', help: 'with --nats: agents checkpoint every N iterations (0: never; lost work is replayed)', default: 0 },
    resume: { kind: 'boolean', help: 'with --nats: continue this run (same inputs and options) from its last checkpoint' },
    'run-id': { kind: 'string', arg: 'ID', help: 'with --nats: name of the run (default: derived from inputs and options)' },
    ...NATS_OPTIONS,
    overwrite: { kind: 'boolean', help: 'replace existing output, report and plot files' },
    quiet: { kind: 'boolean', help: 'no progress line' },
    config: { kind: 'string', arg: 'FILE', help: 'JSON file of option values (command-line options win)' },
  },
  notes: [
    'Files: FITS (.fits .fit .fts, BITPIX 8/16/32/64/-32/-64) or NumPy .npy, chosen by extension.',
    'The result is the same, bit for bit, for any --agents and --partitions.',
    'example: galdecon run --input stamps.fits --psf psfs.fits --output deconv.fits --report run.json --plots plots/',
    'watch it: … --serve 8080 (then open http://127.0.0.1:8080/) and keep a record: … --html run.html',
  ].join('\n'),
};

export function solverOptions(a: Parsed): Partial<SolverOptions> {
  return {
    wavelet: a.wavelet as SolverOptions['wavelet'],
    kappa: a.kappa as number[],
    nIter: a['n-iter'] as number,
    nReweights: a['n-reweights'] as number,
    tolerance: a.tolerance as number,
    costWindow: a['cost-window'] as number,
    tau: a.tau as number,
    sigmaD: a.sigma as number,
    rho: a.relax as number,
    noiseEst: a['noise-est'] as number | undefined,
    positivity: a['no-positivity'] !== true,
  };
}

export async function runCommand(argv: string[], io: { out: (s: string) => void }): Promise<number> {
  const a = parseCommand(RUN, argv);
  if (a.help) {
    io.out(helpText(RUN));
    return 0;
  }
  const output = a.output as string;
  const overwrite = a.overwrite === true;
  formatOf(output);
  // Refuse early what would be refused at the end, before spending the compute.
  await requireWritable(output, overwrite);
  if (a.report) await requireWritable(a.report as string, overwrite);
  if (a.html) await requireWritable(a.html as string, overwrite);
  const stretch = a.stretch as Stretch;
  if (!STRETCHES.includes(stretch)) throw new OptionError(`--stretch expects ${STRETCHES.join(', ')} (got ${JSON.stringify(stretch)})`);
  const serveAt = a.serve !== undefined ? parseServeAddress(a.serve as string) : undefined;
  const serveToken = (a['serve-token'] as string | undefined) ?? (process.env.GALDECON_SERVE_TOKEN || undefined);
  if (serveAt) checkServeAccess(serveAt.host, serveToken);
  const linger = a['serve-linger'] as number;
  if (!(linger >= 0)) throw new OptionError(`--serve-linger must be ≥ 0 (got ${linger})`);
  if (!serveAt && (a['serve-token'] !== undefined || linger > 0)) throw new OptionError('--serve-token and --serve-linger need --serve');

  const t0 = performance.now();
  const y = await readArray(a.input as string);
  const psf = await readArray(a.psf as string);
  const truth = a.truth ? await readArray(a.truth as string) : undefined;
  if (truth && truth.data.length !== y.data.length) {
    throw new InputError(`--truth ${String(a.truth)} has shape (${truth.shape.join(', ')}) but the input has (${y.shape.join(', ')})`);
  }
  const warning = psfSumWarning(psf.data, psfShape(psf, stackShape(y, `--input ${String(a.input)}`), `--psf ${String(a.psf)}`), `--psf ${String(a.psf)}`);
  if (warning) process.stderr.write(`galdecon run: warning: ${warning}\n`);
  const agents = a.agents as number;
  const objects = mosaicObjects(a['mosaic-objects'] as number[] | undefined, stackShape(y).n);
  let result: DistributedResult;
  const options = solverOptions(a);
  const total = ((options.nReweights ?? 1) + 1) * (options.nIter ?? 150);
  const progress = progressLine(total, { quiet: a.quiet === true });
  const title = `galdecon: ${stackShape(y).n} objects`;
  const stacks = { y, psf, truth };
  // The live view and the HTML report follow the run's events; an unwatched run emits none.
  const watch = serveAt || a.html ? new RunWatch({
    title, options: { ...resolveOptions(options) }, totalIterations: total, stacks, objects, stretch,
    inputs: { input: a.input as string, psf: a.psf as string, ...(a.truth ? { truth: a.truth as string } : {}) },
    software: { [softwareInfo().name]: softwareInfo().version, node: process.versions.node, v8: process.versions.v8, uPlot: uplotVersion(), platform: `${process.platform}-${process.arch}` },
    onChange: (_v, now) => server?.changed(now),
  }) : undefined;
  let server: LiveServer | undefined;
  let beats: NodeJS.Timeout | undefined;
  if (serveAt && watch) {
    server = await startServer({
      ...serveAt, token: serveToken, assets: liveAssets(),
      state: () => ({ ...watch.view, mosaic: undefined, now: Date.now() }),
      picture: () => (watch.view.mosaic ? { version: watch.mosaicVersion, data: watch.view.mosaic } : undefined),
    });
  }
  let started = false;
  try {
    const transport = makeTransport(a);
    if (server && watch) {
      process.stderr.write(`galdecon run: live view at ${server.url}${serveToken ? ' (add ?token=<your token> the first time)' : ''}\n`);
      beats = setInterval(() => watch.heartbeats(transport.heartbeats?.() ?? new Map()), 1000);
    }
    started = true;
    try {
      result = await runDistributed(y, psf, options, {
        transport,
        partitions: (a.partitions as number | undefined) ?? (a.nats ? undefined : 2 * agents),
        onProgress: (p) => progress.update(p),
        checkpointEvery: a['checkpoint-every'] as number,
        resume: a.resume === true,
        runId: a['run-id'] as string | undefined,
        waitAgentsMs: (a['wait-agents'] as number) * 1000,
        log: a.quiet === true ? undefined : (line) => process.stderr.write(`galdecon run: ${line}\n`),
        onEvent: watch?.onEvent,
        sample: serveAt ? { objects, wanted: () => (server?.viewers ?? 0) > 0 } : undefined,
      });
    } finally {
      progress.done();
      clearInterval(beats);
      await transport.close();
    }
    await finishRun(a, result, { y, t0, objects, stacks, title, stretch, watch, io });
  } catch (e) {
    watch?.fail((e as Error).message);
    throw e;
  } finally {
    if (server) {
      if (linger > 0 && started) {
        process.stderr.write(`galdecon run: the live view stays up for ${linger} s\n`);
        await new Promise((r) => setTimeout(r, linger * 1000));
      }
      await server.close();
    }
  }
  return 0;
}

/** Writes the output, the report, the plots and the HTML report of a finished run. */
async function finishRun(
  a: Parsed, result: DistributedResult,
  w: { y: NdArray; t0: number; objects: number[]; stacks: RunStacks; title: string; stretch: Stretch; watch?: RunWatch; io: { out: (s: string) => void } },
): Promise<void> {
  const { y, t0 } = w;
  const output = a.output as string;
  const overwrite = a.overwrite === true;
  const truth = w.stacks.truth;
  const totalS = (performance.now() - t0) / 1000;
  const [n, ny, nx] = result.shape;
  const outShape = y.shape.length === 2 ? [ny, nx] : [n, ny, nx];
  await writeArray(output, result.x, outShape, {
    overwrite, cards: fitsCards(result), history: history(result, a),
  });
  const report = buildReport({
    shape: result.shape, sigma: result.noiseSigma, iterations: result.iterations, converged: result.converged,
    cost: result.cost, cost_iterations: result.costIterations, cost_time_s: result.costTimes,
    reweight_iterations: result.reweightIterations, tests: result.tests,
    timing: { total_s: totalS, setup_s: result.setupS, iterate_s: result.iterateS },
    partitions: result.partitions, agents: result.agents, options: { ...result.options },
    truth: truth?.data, estimate: truth ? result.x : undefined, observed: truth ? y.data : undefined,
    inputs: { input: a.input as string, psf: a.psf as string, ...(a.truth ? { truth: a.truth as string } : {}) },
    output,
  });
  if (a.report) await writeTextAtomic(a.report as string, reportJson(report), overwrite);
  const finalX = pickObjects(result.x, w.objects, ny * nx);
  if (a.plots) {
    const rows = mosaicRows(w.stacks, w.objects, finalX, new Kernels());
    await writePlots(a.plots as string, {
      report, title: w.title,
      mosaic: { rows, ny, nx, options: { stretch: w.stretch, title: `${w.title}: final estimates, iteration ${result.iterations}` } },
    });
  }
  if (w.watch) {
    w.watch.setMosaic(result.iterations, w.objects, finalX);
    w.watch.finish({
      timing: { ...report.timing }, output,
      metrics: report.metrics as unknown as Record<string, unknown> | undefined,
      baselineMetrics: report.baseline_metrics as unknown as Record<string, unknown> | undefined,
    });
    if (a.html) await writeTextAtomic(a.html as string, reportHtml(w.watch.view), overwrite);
  }
  if (a.quiet !== true) w.io.out(summary(report, output));
}

/** Local worker threads by default; `galdecon agent`s over NATS with --nats. */
function makeTransport(a: Parsed): Transport {
  if (!a.nats) {
    for (const k of ['resume', 'run-id', 'max-agents', ...Object.keys(NATS_OPTIONS)]) {
      if (a[k] !== undefined && a[k] !== false) throw new OptionError(`--${k} needs --nats`);
    }
    if ((a['checkpoint-every'] as number) !== 0) throw new OptionError('--checkpoint-every needs --nats');
    checkAgentCount(a.agents as number, '--agents', a.oversubscribe === true);
    return new LocalTransport(a.agents as number);
  }
  const id = a['run-id'] as string | undefined;
  if (id !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new OptionError('--run-id takes 1 to 64 letters, digits, _ or -');
  const wait = a['wait-agents'] as number;
  if (!(wait >= 0)) throw new OptionError(`--wait-agents must be ≥ 0 (got ${wait})`);
  if (!((a['checkpoint-every'] as number) >= 0)) throw new OptionError('--checkpoint-every must be ≥ 0');
  return new NatsTransport({
    ...natsOptionsFrom(a),
    waitAgentsMs: wait * 1000,
    minAgents: a['min-agents'] as number,
    maxAgents: a['max-agents'] as number | undefined,
    log: a.quiet === true ? undefined : (line) => process.stderr.write(`galdecon run: ${line}\n`),
  });
}

function summary(r: RunReport, output: string): string {
  const lines = [
    `galdecon: ${r.objects} objects, σ = ${r.sigma.toExponential(4)}, ${r.iterations} iterations` +
      ` (${r.converged ? 'converged' : 'not converged'}), final cost ${r.cost.at(-1)?.toExponential(6) ?? 'n/a'}`,
    `  ${(r.timing.total_s).toFixed(2)} s total, ${(r.timing.per_iteration_s * 1000).toFixed(2)} ms/iteration` +
      ` on ${r.agents} agent${r.agents === 1 ? '' : 's'} × ${r.partitions} partitions → ${output}`,
  ];
  if (r.metrics) lines.push(formatMetrics(r.metrics, 'deconvolved vs truth'));
  if (r.baseline_metrics) lines.push(formatMetrics(r.baseline_metrics, 'observed vs truth'));
  return lines.join('\n') + '\n';
}

function fitsCards(r: DistributedResult): FitsCard[] {
  const o = r.options;
  const sw = softwareInfo();
  return [
    { key: 'CREATOR', value: `${sw.name} ${sw.version}`, comment: 'software that wrote this file' },
    { key: 'GDMETHOD', value: 'sparse Condat-Vu', comment: 'Farrens et al. 2017, sparse mode' },
    { key: 'GDWAVE', value: o.wavelet, comment: 'a trous wavelet of the prior' },
    { key: 'GDKAPPA', value: o.kappa.join(','), comment: 'threshold multipliers per band' },
    { key: 'GDNITER', value: o.nIter, comment: 'iterations per phase' },
    { key: 'GDNREW', value: o.nReweights, comment: 'reweightings' },
    { key: 'GDTOL', value: o.tolerance, comment: 'stopping-rule tolerance' },
    { key: 'GDTAU', value: o.tau, comment: 'primal step' },
    { key: 'GDSIGMAD', value: o.sigmaD, comment: 'dual step' },
    { key: 'GDRHO', value: o.rho, comment: 'relaxation' },
    { key: 'GDPOS', value: o.positivity, comment: 'positivity constraint' },
    { key: 'NOISESIG', value: r.noiseSigma, comment: 'noise sigma used for the weights' },
    { key: 'NITER', value: r.iterations, comment: 'iterations run' },
    { key: 'CONVERGD', value: r.converged, comment: 'stopping rule ended the last phase' },
    { key: 'FINLCOST', value: r.cost.at(-1) ?? 0, comment: 'cost after the last evaluation' },
  ];
}

function history(r: DistributedResult, a: Parsed): string[] {
  return [
    `galdecon run on ${new Date().toISOString()}: input ${String(a.input)}, psf ${String(a.psf)}`,
    `${r.shape[0]} objects of ${r.shape[1]}x${r.shape[2]}, ${r.agents} agents, ${r.partitions} partitions`,
    `sigma ${r.noiseSigma}, ${r.iterations} iterations (${r.phaseIterations.join(' + ')}), converged ${r.converged}`,
  ];
}
