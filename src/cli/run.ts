// `galdecon run`: deconvolve a stack of stamps with their PSFs, on local agents (worker
// threads) or — with --nats — on agents anywhere. Every option and every output path is
// checked before the inputs are read, every input before the compute starts. The stacks
// are read by partitions as they are needed and the output written by partitions as they
// arrive (never whole) into a temporary file; the output files only appear, complete and
// together, at the end.

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InputError, OptionError } from '../errors.ts';
import { openIds, binTableParts, type IdSource, type OutFile } from '../io/index.ts';
import { openStack, type StackFile } from '../io/stack-source.ts';
import { createStackSink, type StackFileSink } from '../io/stack-sink.ts';
import { objectsOf } from '../common/types.ts';
import {
  runSurvey, requireLockstepForLowrank, split, checkAgentCount, LocalTransport, NatsTransport, ACK_WAIT_MS, STREAM_PARTITION_OBJECTS,
  type DriverConfig, type SurveyResult, type Schedule, type Transport,
} from '../cluster/index.ts';
import { NATS_OPTIONS, natsOptionsFrom } from './nats-options.ts';
import {
  DEFAULT_OPTIONS, PRIORS, LOWRANK_THRESHOLDS, eachChunk, psfShapeOf, requireFinite, resolveOptions, stackShapeOf, type SolverOptions,
} from '../solver/index.ts';
import { buildReport, reportJson, plotFiles, softwareInfo, type RunReport } from '../report/report.ts';
import { STRETCHES, type Stretch } from '../report/mosaic.ts';
import { reportHtml, uplotVersion, liveAssets } from '../report/page.ts';
import { Kernels } from '../kernels/index.ts';
import { checkServeAccess, parseServeAddress, startServer, type LiveServer } from '../serve/server.ts';
import { mosaicObjects, mosaicRows, pickedStacks, type RunStacks } from './pictures.ts';
import { RunWatch } from './watch.ts';
import { formatMetrics, MetricsSum } from '../report/metrics.ts';
import { parseCommand, helpText, type CommandSpec, type Parsed } from './args.ts';
import { runLog, type RunLog } from './progress.ts';
import { ERROR_NAMES, checkPriorOptions, cliOptions, solverOptions } from './run-options.ts';
import { perObjectInputs, type RunPerObject } from './per-object.ts';
import { sharedFile } from './shared-input.ts';
import { checkOutputs, stageCatalog, writeAll, type Outputs } from './outputs.ts';
import { fitsCards, history } from './header.ts';
import { readFor } from './read.ts';

export const RUN: CommandSpec = {
  name: 'run',
  summary: 'deconvolve a stack of galaxy stamps, each with its own PSF',
  usage: 'galdecon run --input Y --psf P --output X [options]',
  options: {
    input: { kind: 'string', arg: 'FILE', help: 'observed stamps, (N, ny, nx) FITS or .npy (FITS: file.fits[HDU] or file.fits[EXT][COLUMN])', required: true },
    psf: { kind: 'string', arg: 'FILE', help: 'PSFs: (N, ky, kx) one per object, or (ky, kx) shared', required: true },
    output: { kind: 'string', arg: 'FILE', help: 'deconvolved stamps (.fits/.fit/.fts or .npy)', required: true },
    ids: { kind: 'string', arg: 'SOURCE', help: 'object IDs: a table column (cat.fits[EXT][ID]), a .npy vector or a text file, one per line' },
    truth: { kind: 'string', arg: 'FILE', help: 'clean truth stack: adds quality metrics to the report and catalogue' },
    report: { kind: 'string', arg: 'FILE', help: 'write a JSON report of the run' },
    catalog: { kind: 'string', arg: 'FILE', help: 'write one row per object: .fits (binary table) or .csv' },
    plots: { kind: 'string', arg: 'DIR', help: 'write cost.svg, mosaic.png and, for the low-rank priors, rank.svg into DIR (created if missing)' },
    html: { kind: 'string', arg: 'FILE', help: 'write a self-contained HTML report of the run (charts, mosaic, agents, options)' },
    stretch: { kind: 'string', arg: STRETCHES.join('|'), help: 'display stretch of the mosaic', default: 'asinh', choices: STRETCHES },
    'mosaic-objects': { kind: 'numbers', arg: 'I,J,…', help: 'objects shown in the mosaic (default: 8 evenly spaced)' },
    serve: { kind: 'string', arg: '[HOST:]PORT', help: 'serve a live view of the run on HOST (default 127.0.0.1) and PORT (0: any free port)' },
    'serve-token': { kind: 'string', arg: 'T', help: 'token the live view requires (or GALDECON_SERVE_TOKEN); needed off loopback' },
    'serve-linger': { kind: 'number', arg: 'SECONDS', help: 'keep the live view up this long after the run ends', default: 0, min: 0 },
    prior: { kind: 'string', arg: PRIORS.join('|'), help: 'prior: sparse wavelets (the paper\'s Eq. 1), low-rank stack, or both', default: DEFAULT_OPTIONS.prior, choices: PRIORS },
    'lowrank-threshold': { kind: 'string', arg: LOWRANK_THRESHOLDS.join('|'), help: 'low-rank prior: keep (hard) or shrink (soft) singular values ≥ λ', default: DEFAULT_OPTIONS.lowrankThreshold, choices: LOWRANK_THRESHOLDS },
    'lowrank-factor': { kind: 'number', arg: 'F', help: 'low-rank prior: multiplies λ = σ·√max(N+1, ny·nx)·‖H‖² (σ: the median σ_i with --noise-est FILE)', default: DEFAULT_OPTIONS.lowrankFactor, gt: 0 },
    wavelet: { kind: 'string', arg: 'linear|b3', help: 'à trous wavelet of the sparsity prior', default: DEFAULT_OPTIONS.wavelet },
    kappa: { kind: 'numbers', arg: 'K0,K1,K2', help: 'threshold multipliers per band', default: DEFAULT_OPTIONS.kappa },
    'n-iter': { kind: 'integer', help: 'iterations per phase', default: DEFAULT_OPTIONS.nIter },
    'n-reweights': { kind: 'integer', help: 'reweighting phases after the first', default: DEFAULT_OPTIONS.nReweights },
    tolerance: { kind: 'number', arg: 'T', help: 'stopping-rule tolerance; 0 runs every iteration', default: DEFAULT_OPTIONS.tolerance },
    'cost-window': { kind: 'integer', help: 'evaluate the cost every N iterations', default: DEFAULT_OPTIONS.costWindow },
    tau: { kind: 'number', help: 'primal step τ', default: DEFAULT_OPTIONS.tau },
    'dual-step': { kind: 'number', help: 'dual step σ_d', default: DEFAULT_OPTIONS.sigmaD },
    sigma: { kind: 'number', help: 'dual step σ_d', aliasOf: 'dual-step' },
    relax: { kind: 'number', help: 'relaxation ρ', default: DEFAULT_OPTIONS.rho },
    'noise-est': { kind: 'string', arg: 'S|FILE', help: 'noise σ, or a file of one σ per object (.npy, .fits, text) (default: 1.4826·MAD of the stack)' },
    mask: { kind: 'string', arg: 'FILE', help: 'pixel weights in [0, 1] shaped as the input (0 drops a pixel): data term ½‖√w ⊙ (y − Hx)‖²' },
    'mask-nan': { kind: 'boolean', help: 'NaN pixels of the input are masked (weight 0) instead of refused' },
    'no-positivity': { kind: 'boolean', help: 'do not constrain the solution to x ≥ 0' },
    positivity: { kind: 'boolean', help: 'the solution is constrained to x ≥ 0', configOnly: true },
    strict: { kind: 'boolean', help: 'refuse, rather than warn about, PSFs off the kernel origin or not summing to 1, and steps beyond the convergence bound' },
    bitpix: { kind: 'integer', help: 'FITS output: -32 (float32) or -64 (float64)', default: -32 },
    schedule: { kind: 'string', arg: 'lockstep|stream', help: 'lockstep: all partitions step together, one stopping rule on the whole stack\'s cost; stream: each partition runs to the end on its own, its own cost stopping it, one partition per agent in memory (--prior sparse only)', default: 'lockstep' },
    partitions: { kind: 'integer', help: `partitions of the stack (default: lockstep, 2 × agents; stream, ≤ ${STREAM_PARTITION_OBJECTS} objects each and ≥ 4 per agent)`, min: 1 },
    agents: { kind: 'integer', help: `local agents (worker threads; at most 4 per core; default: the cores, ${availableParallelism()})`, min: 1 },
    oversubscribe: { kind: 'boolean', help: 'allow --agents above 4 per core' },
    nats: { kind: 'string', arg: 'URL', help: 'run on `galdecon agent`s reached through this NATS server instead' },
    'wait-agents': { kind: 'number', arg: 'SECONDS', help: 'with --nats: how long to wait for agents (at the start, or when none is left; default: 30)', min: 0 },
    'min-agents': { kind: 'integer', help: 'with --nats: wait for at least this many agents, else fail (default: 1)', min: 1 },
    'max-agents': { kind: 'integer', help: 'with --nats: use at most this many agents', min: 1 },
    'checkpoint-every': { kind: 'integer', arg: 'N', help: 'with --nats: agents checkpoint every N iterations (0: never; lost work is replayed)', default: 0, min: 0 },
    resume: { kind: 'boolean', help: 'with --nats: continue this run (same inputs and options): lockstep from its last checkpoint, stream skipping its finished partitions' },
    'ack-wait': {
      kind: 'number', arg: 'SECONDS', min: 1, max: 3600,
      help: `with --nats --schedule stream: a task whose agent sends no progress signal for this long goes to another agent (default: ${ACK_WAIT_MS / 1000})`,
    },
    'shared-input': { kind: 'boolean', help: 'with --nats: agents read their partitions from the input files themselves (the same absolute paths on every host; agents started with --shared-input DIR); the driver sends names and offsets, not pixels' },
    'run-id': { kind: 'string', arg: 'ID', help: 'with --nats: name of the run (default: derived from inputs and options)' },
    ...NATS_OPTIONS,
    overwrite: { kind: 'boolean', help: 'replace existing output, report, catalogue and plot files' },
    quiet: { kind: 'boolean', help: 'no progress (warnings, errors and the summary are still printed)' },
    'log-json': { kind: 'boolean', help: 'log lines on stderr as JSON objects, one per line' },
    config: { kind: 'string', arg: 'FILE', help: 'JSON file of option values, or a report.json (its options); command-line options win' },
  },
  configAliases: {
    // report.json's options before the CLI names, and the solver's field names.
    nIter: 'n-iter', nReweights: 'n-reweights', costWindow: 'cost-window', sigmaD: 'dual-step', dualStep: 'dual-step',
    rho: 'relax', noiseEst: 'noise-est', lowrankThreshold: 'lowrank-threshold', lowrankFactor: 'lowrank-factor',
  },
  notes: [
    'Files: FITS (.fits .fit .fts, BITPIX 8/16/32/64/-32/-64) or NumPy .npy, chosen by extension.',
    "FITS inputs may name an HDU or a binary-table column: 'f.fits[1]', 'f.fits[SCI]', 'f.fits[SCI,2]', 'f.fits[STAMPS][FLUX]'.",
    'The result is the same, bit for bit, for any --agents and --partitions.',
    'Schedules: with --tolerance 0 both give the same bits. With the stopping rule on, lockstep stops every',
    'object together when the whole stack\'s cost settles; stream stops each partition when its own cost',
    'settles (report.json: partition_results; iterations = the longest partition\'s).',
    'Logs: a progress line on a terminal; elsewhere one line per event and per convergence test (--log-json: JSON).',
    'Exit status: 0 done, 1 bad data or a failed run, 2 bad usage.',
    'example: galdecon run --input stamps.fits --psf psfs.fits --output deconv.fits --report run.json --plots plots/',
    'watch it: … --serve 8080 (then open http://127.0.0.1:8080/) and keep a record: … --html run.html',
  ].join('\n'),
};


export async function runCommand(argv: string[], io: { out: (s: string) => void; err?: (s: string) => void }): Promise<number> {
  const err = io.err ?? ((s: string) => process.stderr.write(s));
  const a = parseCommand(RUN, argv, (line) => err(`galdecon run: warning: ${line}\n`));
  if (a.help) {
    io.out(helpText(RUN));
    return 0;
  }
  // Usage first: options, then every path to write — before reading a byte.
  const options = resolveOptions(solverOptions(a), ERROR_NAMES);
  const schedule = a.schedule as Schedule;
  if (schedule !== 'lockstep' && schedule !== 'stream') throw new OptionError(`--schedule must be lockstep or stream (got ${String(schedule)})`);
  if (schedule === 'stream' && (a['checkpoint-every'] as number) > 0) {
    throw new OptionError('--checkpoint-every works with --schedule lockstep only (over NATS the stream schedule keeps every finished partition; --resume skips them)');
  }
  requireLockstepForLowrank(schedule, options, { ...ERROR_NAMES, schedule: '--schedule' });
  checkPriorOptions(a, options);
  if (schedule !== 'stream' && a['ack-wait'] !== undefined) throw new OptionError('--ack-wait applies to --schedule stream (lockstep notices a lost agent by its heartbeats)');
  checkTransportOptions(a);
  const overwrite = a.overwrite === true;
  const outs = await checkOutputs(a, overwrite);
  const serve = serveOptions(a);
  const total = (options.nReweights + 1) * options.nIter;
  const log = runLog(total, { quiet: a.quiet === true, json: a['log-json'] === true, write: err });
  // Condat–Vũ converges for 1/τ − σ_d‖Φ‖² ≥ ‖H‖²/2, with ‖Φ‖² ≈ 1 and ‖H‖² ≈ 1 for PSFs
  // that sum to 1 (docs/ALGORITHM.md §6).
  if (1 / options.tau - options.sigmaD < 0.5) {
    const w = `--tau ${options.tau} and --dual-step ${options.sigmaD} break the step bound 1/τ − σ_d ≥ 1/2 (docs/ALGORITHM.md §6): the iteration may diverge`;
    if (a.strict === true) throw new OptionError(`${w} (refused with --strict)`);
    log.warn(w);
  }

  const t0 = performance.now();
  log.info('reading inputs', { input: a.input, psf: a.psf });
  const files: { close(): Promise<void> }[] = []; // stacks and IDs, closed at the end
  let sink: StackFileSink | undefined;
  try {
    const open = async (k: string): Promise<StackFile> => {
      const f = await readFor(`--${k}`, () => openStack(a[k] as string));
      files.push(f);
      return f;
    };
    const observed = await open('input');
    const psf = await open('psf');
    const truth = a.truth ? await open('truth') : undefined;
    const ids = a.ids ? await readFor('--ids', () => openIds(a.ids as string)) : undefined;
    if (ids) files.push(ids);
    const perObject = await perObjectInputs(a, observed, log, files);
    const y = perObject.input; // the input as the solver sees it (--mask, --mask-nan)
    const shared = a['shared-input'] === true ? {
      y: await sharedFile('--input', a.input as string, observed),
      // A PSF shared by all objects travels with every partition (it is one stamp).
      ...(objectsOf(psf.shape) > 1 ? { psf: await sharedFile('--psf', a.psf as string, psf) } : {}),
      ...(perObject.weights ? { mask: await sharedFile('--mask', a.mask as string, perObject.weights) } : {}),
      maskNan: a['mask-nan'] === true,
    } : undefined;
    const names = { input: `--input ${String(a.input)}`, psf: `--psf ${String(a.psf)}` };
    const shape = stackShapeOf(y.shape, names.input);
    psfShapeOf(psf.shape, shape, names.psf);
    log.info(`opened ${shape.n} objects of ${shape.ny}×${shape.nx} in ${((performance.now() - t0) / 1000).toFixed(2)} s`, { objects: shape.n });
    if (truth) await checkTruth(truth, y, String(a.truth));
    if (ids && ids.length !== shape.n) {
      throw new InputError(`--ids ${String(a.ids)} has ${ids.length} IDs for ${shape.n} objects; give one ID per object`);
    }
    if (ids && !outs.catalog && !/\.(fits|fit|fts)$/i.test(outs.output)) {
      log.warn(`--ids: the IDs go into FITS outputs and the catalogue; with ${outs.output} and no --catalog they are not written`);
    }
    const asked = a.partitions as number | undefined;
    if (asked !== undefined && asked > Math.ceil(shape.n / 4)) {
      // Partitions are whole groups of 4 objects (the kernels' SIMD lanes).
      log.warn(`--partitions ${asked}: ${shape.n} objects make at most ${Math.ceil(shape.n / 4)} partitions of whole groups of 4; using ${Math.ceil(shape.n / 4)}`);
    }
    const outShape = y.shape.length === 2 ? [shape.ny, shape.nx] : [shape.n, shape.ny, shape.nx];
    sink = await createStackSink(outs.output, outShape, { overwrite, bitpix: a.bitpix as -32 | -64 });
    await watchedRun(a, {
      y, psf, truth, ids, perObject, shared, sink, names, outs, options, schedule, serve, log, t0, overwrite, io,
    });
  } finally {
    await sink?.abort(); // nothing after a commit; the temporary file after a failure
    await Promise.all(files.map((f) => f.close()));
  }
  return 0;
}

interface RunInputs {
  y: StackFile;
  psf: StackFile;
  truth?: StackFile;
  ids?: IdSource;
  perObject: RunPerObject;
  shared?: DriverConfig['shared'];
  sink: StackFileSink;
  names: { input: string; psf: string };
  outs: Outputs;
  options: SolverOptions;
  schedule: Schedule;
  serve: ReturnType<typeof serveOptions>;
  log: RunLog;
  t0: number;
  overwrite: boolean;
  io: { out: (s: string) => void };
}

/** The run on opened inputs, watched if asked, then its files. */
async function watchedRun(a: Parsed, r: RunInputs): Promise<void> {
  const { y, psf, truth, ids, perObject, sink, outs, options, schedule, serve, log, t0, overwrite, io } = r;
  const n = stackShapeOf(y.shape).n;
  const total = (options.nReweights + 1) * options.nIter;
  const objects = mosaicObjects(a['mosaic-objects'] as number[] | undefined, n);
  const title = `galdecon: ${n} objects`;
  // Only the mosaic's objects are read for the pictures.
  const stacks: RunStacks = await pickedStacks({ y, psf, truth }, objects);
  const stretch = a.stretch as Stretch;
  // The live view and the HTML report follow the run's events; an unwatched run emits none.
  const watch = serve || a.html ? new RunWatch({
    title, options: { ...options }, totalIterations: total, stacks, objects, stretch,
    inputs: { input: a.input as string, psf: a.psf as string, ...(a.truth ? { truth: a.truth as string } : {}) },
    software: { [softwareInfo().name]: softwareInfo().version, node: process.versions.node, v8: process.versions.v8, uPlot: uplotVersion(), platform: `${process.platform}-${process.arch}` },
    onChange: (_v, now) => server?.changed(now),
  }) : undefined;
  let server: LiveServer | undefined;
  let beats: NodeJS.Timeout | undefined;
  if (serve && watch) {
    server = await startServer({
      ...serve.at, token: serve.token, assets: liveAssets(),
      state: () => ({ ...watch.view, mosaic: undefined, now: Date.now() }),
      picture: () => (watch.view.mosaic ? { version: watch.mosaicVersion, data: watch.view.mosaic } : undefined),
    });
  }
  let started = false;
  try {
    const transport = makeTransport(a, log);
    if (server && watch) {
      log.notice(`live view at ${server.url}${serve?.token ? ' (add ?token=<your token> the first time)' : ''}`);
      beats = setInterval(() => watch.heartbeats(transport.heartbeats?.() ?? new Map()), 1000);
    }
    started = true;
    let result: SurveyResult;
    try {
      result = await runSurvey(y, psf, options, {
        transport,
        schedule,
        output: sink,
        names: r.names,
        warn: (w) => {
          if (a.strict === true) throw new InputError(`${w} (refused with --strict)`);
          log.warn(w);
        },
        partitions: (a.partitions as number | undefined) ?? (a.nats || schedule === 'stream' ? undefined : 2 * localAgents(a)),
        onProgress: (p) => log.progress(p),
        onStreamProgress: (p) => log.streamProgress(p),
        checkpointEvery: a['checkpoint-every'] as number,
        resume: a.resume === true,
        runId: a['run-id'] as string | undefined,
        waitAgentsMs: waitAgentsS(a) * 1000,
        log: (line) => log.info(line),
        perObject: { sigma: perObject.sigma, mask: perObject.mask },
        shared: r.shared,
        onEvent: watch?.onEvent,
        sample: serve ? { objects, wanted: () => (server?.viewers ?? 0) > 0 } : undefined,
      });
    } finally {
      log.done();
      clearInterval(beats);
      await transport.close();
    }
    await finishRun(a, result, { y, truth, sink, t0, ids, perObject, outs, objects, stacks, title, stretch, watch, overwrite, io });
  } catch (e) {
    watch?.fail((e as Error).message);
    throw e;
  } finally {
    if (server) {
      if (serve!.linger > 0 && started) {
        log.notice(`the live view stays up for ${serve!.linger} s`);
        await new Promise((r) => setTimeout(r, serve!.linger * 1000));
      }
      await server.close();
    }
  }
}

/** Builds every file of a finished run (output, report, catalogue, plots, HTML report) and writes them together. */
async function finishRun(
  a: Parsed, result: SurveyResult,
  w: {
    y: StackFile; truth?: StackFile; sink: StackFileSink; t0: number; ids?: IdSource; perObject: RunPerObject; outs: Outputs;
    objects: number[]; stacks: RunStacks; title: string; stretch: Stretch; watch?: RunWatch; overwrite: boolean;
    io: { out: (s: string) => void };
  },
): Promise<void> {
  const { y, truth, sink, outs, ids, perObject } = w;
  const totalS = (performance.now() - w.t0) / 1000;
  const [n, ny, nx] = result.shape;
  const scores = truth ? await metricsOf(truth, sink, y, n, ny * nx) : undefined;
  const report = buildReport({
    shape: result.shape, sigma: result.noiseSigma, iterations: result.iterations, converged: result.converged,
    cost: result.cost, cost_iterations: result.costIterations, cost_time_s: result.costTimes,
    reweight_iterations: result.reweightIterations, tests: result.tests,
    timing: { total_s: totalS, setup_s: result.setupS, iterate_s: result.iterateS },
    partitions: result.partitions, agents: result.agents,
    schedule: result.schedule, partition_results: result.partitionResults,
    options: { ...cliOptions(result.options), ...(perObject.sigma ? { 'noise-est': a['noise-est'] } : {}), mask: a.mask ?? null, 'mask-nan': a['mask-nan'] === true },
    metrics: scores?.metrics, baseline_metrics: scores?.baseline,
    prior: { name: result.options.prior, ...(result.lowrank ? { lambda: result.lowrank.lambda, beta: result.lowrank.beta, ranks: result.lowrank.ranks } : {}) },
    inputs: Object.fromEntries((['input', 'psf', 'truth', 'ids', 'mask'] as const).filter((k) => a[k]).map((k) => [k, a[k] as string])),
    output: outs.output,
  });

  const finalX = new Float32Array(w.objects.length * ny * nx);
  for (const [j, i] of w.objects.entries()) finalX.set(await sink.read(i, 1), j * ny * nx);
  const files: OutFile[] = [];
  if (outs.report) files.push({ path: outs.report, bytes: new TextEncoder().encode(reportJson(report)) });
  if (outs.plotsDir) {
    const rows = mosaicRows(w.stacks, w.objects, finalX, new Kernels());
    for (const f of plotFiles({
      report, title: w.title + `, ${result.options.prior} prior` + (result.lowrank ? ` (λ = ${result.lowrank.lambda.toExponential(4)})` : ''),
      mosaic: { rows, ny, nx, options: { stretch: w.stretch, title: `${w.title}: final estimates, iteration ${result.iterations}` } },
    })) files.push({ path: join(outs.plotsDir, f.name), bytes: f.bytes });
  }
  if (w.watch) {
    w.watch.setMosaic(result.iterations, w.objects, finalX);
    w.watch.finish({
      timing: { ...report.timing }, output: outs.output,
      metrics: report.metrics as unknown as Record<string, unknown> | undefined,
      baselineMetrics: report.baseline_metrics as unknown as Record<string, unknown> | undefined,
    });
    if (outs.html) files.push({ path: outs.html, bytes: new TextEncoder().encode(reportHtml(w.watch.view)) });
  }
  // The catalogue and the output are staged files (written by chunks): nothing else can fail once they are.
  const catalog = outs.catalog ? await stageCatalog(outs.catalog, result.shape, { estimate: sink, observed: y, truth, ids }, catalogMeta(result), w.overwrite) : undefined;
  // The output last staged: its header holds the run's cards, and IDs as a table after the data (read again, by chunks).
  const idTable = ids ? [binTableParts([{ name: 'ID', format: 'A', width: ids.width }], n, async (first, count) => [await ids.read(first, count)], { extname: 'OBJECTS' })] : [];
  try {
    files.unshift(await sink.finish({
      cards: fitsCards(result, y.header, perObject.mask !== undefined), history: history(result, a), extensions: idTable,
    }));
  } catch (e) {
    await catalog?.abort();
    throw e;
  }
  if (catalog) files.push(catalog);
  await writeAll(files, outs.plotsDir, w.overwrite);
  w.io.out(summary(report, outs.output));
}

/** The metrics of the estimate and of the observations against the truth, read by chunks. */
async function metricsOf(truth: StackFile, estimate: StackFileSink, observed: StackFile, n: number, npix: number) {
  const [ny, nx] = truth.shape.slice(-2);
  const metrics = new MetricsSum(ny, nx);
  const baseline = new MetricsSum(ny, nx);
  await eachChunk(truth, n, async (t, first) => {
    const count = t.length / npix;
    metrics.add(t, await estimate.read(first, count), count);
    baseline.add(t, await observed.read(first, count), count);
  });
  return { metrics: metrics.result(), baseline: baseline.result() };
}

/** The catalogue's columns from the run: each object's partition and iterations (stream: its partition's), σ. */
function catalogMeta(result: SurveyResult) {
  return {
    sigma: result.noiseSigmas ?? result.noiseSigma,
    partitions: split(result.shape[0], result.partitions),
    iterations: result.partitionResults ?? result.iterations,
  };
}

/** --serve and its options, checked before anything runs. */
function serveOptions(a: Parsed): { at: ReturnType<typeof parseServeAddress>; token?: string; linger: number } | undefined {
  const token = (a['serve-token'] as string | undefined) ?? (process.env.GALDECON_SERVE_TOKEN || undefined);
  const linger = a['serve-linger'] as number;
  if (a.serve === undefined) {
    if (a['serve-token'] !== undefined || linger > 0) throw new OptionError('--serve-token and --serve-linger need --serve');
    return undefined;
  }
  const at = parseServeAddress(a.serve as string);
  checkServeAccess(at.host, token);
  return { at, token, linger };
}

/** The truth must have the input's shape exactly and hold something to compare with (read by chunks). */
async function checkTruth(truth: StackFile, y: StackFile, name: string): Promise<void> {
  if (truth.shape.join() !== y.shape.join()) {
    throw new InputError(`--truth ${name} has shape (${truth.shape.join(', ')}) but the input has (${y.shape.join(', ')}); they must match`);
  }
  const shape = stackShapeOf(truth.shape, `--truth ${name}`);
  let zero = true;
  await eachChunk(truth, shape.n, (chunk, first) => {
    requireFinite(chunk, shape.ny * shape.nx, `--truth ${name}`, first);
    if (zero) zero = chunk.every((v) => v === 0);
  });
  if (zero) throw new InputError(`--truth ${name} is all zero: no metric is defined against it; give the clean truth stack`);
}

/** The checks of makeTransport that need no connection (run before any input is read). */
function checkTransportOptions(a: Parsed): void {
  if (!a.nats) {
    for (const k of ['resume', 'run-id', 'max-agents', 'min-agents', 'wait-agents', 'ack-wait', 'shared-input', ...Object.keys(NATS_OPTIONS)]) {
      if (a[k] !== undefined && a[k] !== false) throw new OptionError(`--${k} needs --nats`);
    }
    if ((a['checkpoint-every'] as number) !== 0) throw new OptionError('--checkpoint-every needs --nats');
    checkAgentCount(localAgents(a), '--agents', a.oversubscribe === true);
    return;
  }
  if (a.agents !== undefined) throw new OptionError('--agents counts local worker threads; with --nats, use --min-agents and --max-agents');
  if (a.oversubscribe === true) throw new OptionError('--oversubscribe applies to local --agents, not to --nats');
  const [min, max] = [a['min-agents'] as number | undefined, a['max-agents'] as number | undefined];
  if (min !== undefined && max !== undefined && max < min) throw new OptionError(`--max-agents ${max} is below --min-agents ${min}`);
  const id = a['run-id'] as string | undefined;
  if (id !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new OptionError('--run-id takes 1 to 64 letters, digits, _ or -');
  natsOptionsFrom(a);
}

const localAgents = (a: Parsed): number => (a.agents as number | undefined) ?? availableParallelism();
const waitAgentsS = (a: Parsed): number => (a['wait-agents'] as number | undefined) ?? 30;

/** Local worker threads by default; `galdecon agent`s over NATS with --nats. */
function makeTransport(a: Parsed, log: RunLog): Transport {
  if (!a.nats) return new LocalTransport(localAgents(a));
  return new NatsTransport({
    ...natsOptionsFrom(a),
    waitAgentsMs: waitAgentsS(a) * 1000,
    minAgents: (a['min-agents'] as number | undefined) ?? 1,
    ackWaitMs: a['ack-wait'] === undefined ? undefined : Math.round((a['ack-wait'] as number) * 1000),
    maxAgents: a['max-agents'] as number | undefined,
    log: (line) => log.info(line),
  });
}

function summary(r: RunReport, output: string): string {
  const prior = r.prior.lambda !== undefined
    ? `${r.prior.name} prior, λ = ${r.prior.lambda.toExponential(4)}, rank ${r.prior.ranks?.at(-1) ?? 'n/a'}`
    : `${r.prior.name} prior`;
  const lines = [
    `galdecon: ${r.objects} objects, ${prior}, σ = ${r.sigma.toExponential(4)}, ${r.iterations} iterations` +
      ` (${r.converged ? 'converged' : 'not converged'}), final cost ${r.cost.at(-1)?.toExponential(6) ?? 'n/a'}`,
    `  ${(r.timing.total_s).toFixed(2)} s total, ${(r.timing.per_iteration_s * 1000).toFixed(2)} ms/iteration` +
      ` on ${r.agents} agent${r.agents === 1 ? '' : 's'} × ${r.partitions} partitions → ${output}`,
  ];
  if (r.metrics) lines.push(formatMetrics(r.metrics, 'deconvolved vs truth'));
  if (r.baseline_metrics) lines.push(formatMetrics(r.baseline_metrics, 'observed vs truth'));
  return lines.join('\n') + '\n';
}

