// The benchmark harness: `npm run bench -- [studies] [--quick] [--json]`.
// Each study writes bench/results/<study>.json (with the machine that produced it) and an
// SVG plot; bench/README.md is regenerated from whatever results exist.

import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { machineInfo } from './machine.ts';
import { kernelsStudy } from './kernels.ts';
import { partitionsStudy } from './studies/partitions.ts';
import { memoryStudy } from './studies/memory.ts';
import { convergenceStudy } from './studies/convergence.ts';
import { scalingStudy } from './studies/scaling.ts';
import { peerStudy } from './studies/peer.ts';
import { e2eStudy } from './studies/e2e.ts';
import { serveStudy } from './studies/serve.ts';
import { checkpointStudy } from './studies/checkpoint.ts';
import { streamStudy } from './studies/stream.ts';
import { scaleStudy } from './studies/scale.ts';
import { priorsStudy } from './studies/priors.ts';
import { qualityStudy } from './studies/quality.ts';
import { RESULTS, localMode, natsMode, natsServerAvailable, writeJson, type ModeFactory } from './common.ts';
import { writeBenchReadme } from './report.ts';

const STUDIES = [
  'kernels', 'partitions', 'memory', 'convergence', 'scaling', 'peer', 'e2e', 'serve', 'checkpoint', 'stream', 'scale', 'priors', 'quality',
] as const;
type Study = (typeof STUDIES)[number];

const HELP = `galdecon bench — measure galdecon on this machine

usage: npm run bench -- [--kernels] [--partitions] [--memory] [--convergence] [--scaling] [--peer]
                        [--e2e] [--serve] [--checkpoint] [--stream] [--scale] [--priors] [--quality]
                        [--quick] [--json] [--max-objects N]

  --kernels      tinybench micro-benchmarks of every kernel and the full iteration (µs per
                 object-iteration, one core), next to the scalar TypeScript implementation
  --partitions   time per iteration vs partitions N ∈ {1, 2, 32, 48, 64, 80, 128}, 10,000 objects (paper Fig. 2)
  --memory       resident memory of driver and agents over a run; bytes written to disk (Fig. 3)
  --convergence  cost vs wall time, one agent vs all agents (Fig. 4)
  --scaling      time and memory vs objects (1k, 10k, 100k)
  --peer         a vectorised NumPy implementation on the same data, same harness run
  --e2e          galdecon run end to end (input to output) on 10,000 objects, local and NATS, 2 agents
  --serve        time per iteration with and without the live view (--serve; no viewer, one viewer),
                 2,000 objects, 300 iterations, 5 interleaved rounds (CPU time and wall time)
  --checkpoint   NATS run time without and with --checkpoint-every 25, 10,000 objects, interleaved A/B
  --stream       lockstep vs stream schedule: galdecon run on 10,000 objects, default options, 2 agents,
                 local and NATS: time, object-iterations/s, peak memory of all processes together
  --scale        --schedule stream on 10⁴, 10⁵, 10⁶ simulated objects (made by galdecon simulate, cached),
                 2 agents, 20 iterations: time and memory vs N (tens of minutes; --max-objects caps it)
  --priors       time per iteration of --prior lowrank and both vs sparse (100 to 10,000 objects),
                 and the NumPy peer's exact-SVD low-rank mode
  --quality      median ellipticity error and NMSE vs N (10², 10³, 10⁴) for sparse / lowrank / both,
                 the observations as baseline
  --quick        every study small (checks the harness, not the speed)
  --max-objects  cap the scaling and checkpoint studies (e.g. 10000 on small machines)
  --json         one JSON line per study on stdout
  --no-readme    do not regenerate bench/README.md
  --help         this text

With no study named, all of them run. Results: bench/results/*.json, *.svg; report: bench/README.md.
`;

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        ...Object.fromEntries(STUDIES.map((s) => [s, { type: 'boolean' as const }])),
        quick: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' },
        'max-objects': { type: 'string' },
        'no-readme': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const chosen: Study[] = STUDIES.filter((s) => values[s]);
  const studies = chosen.length ? chosen : [...STUDIES];
  const quick = values.quick === true;
  // quick results live in a temporary directory (common.ts): no README from them
  if (quick) values['no-readme'] = true;
  if (studies.length > 1) {
    // One process per study, so that memory figures and JIT state do not leak between them.
    const passOn = process.argv.slice(2).filter((a) => !STUDIES.some((s) => a === `--${s}`));
    for (const study of studies) {
      const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `--${study}`, '--no-readme', ...passOn], { stdio: 'inherit' });
      if (r.status !== 0) return r.status ?? 1;
    }
    if (!values['no-readme']) {
      const readme = writeBenchReadme();
      if (!values.json) process.stderr.write(`bench: report → ${readme}\n`);
    }
    return 0;
  }
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  const machine = await machineInfo();
  const cores = availableParallelism();
  const nats = (await natsServerAvailable()) ? natsMode(cores) : undefined;
  if (!nats) log('NOTICE: nats-server is not installed: NATS rows are skipped (apt-get install nats-server)');
  const modes: ModeFactory[] = nats ? [localMode(cores), nats] : [localMode(cores)];
  const single: ModeFactory[] = [localMode(1), localMode(cores)];
  const maxObjects = values['max-objects'] ? Number(values['max-objects']) : undefined;
  for (const study of studies) {
    const t0 = performance.now();
    const ctx = { quick, modes, log, maxObjects };
    const result =
      study === 'kernels' ? await kernelsStudy({ quick, log })
      : study === 'partitions' ? await partitionsStudy(ctx)
      : study === 'memory' ? await memoryStudy(ctx)
      : study === 'convergence' ? await convergenceStudy({ ...ctx, modes: single })
      : study === 'scaling' ? await scalingStudy({ ...ctx, modes: [localMode(cores)] })
      : study === 'e2e' ? await e2eStudy(ctx)
      : study === 'serve' ? await serveStudy(ctx)
      : study === 'checkpoint' ? await checkpointStudy(ctx)
      : study === 'scale' ? await scaleStudy(ctx)
      : study === 'stream' ? await withModes(nats ? [localMode(2), natsMode(2)] : [localMode(2)], (m) => streamStudy({ ...ctx, modes: m }))
      : study === 'priors' ? await priorsStudy(ctx)
      : study === 'quality' ? await qualityStudy(ctx)
      : await peerStudy({ quick, log });
    const record = { ...result, quick, machine, date: new Date().toISOString(), duration_s: (performance.now() - t0) / 1000 };
    writeJson(`${study}.json`, record);
    if (values.json) process.stdout.write(JSON.stringify(record) + '\n');
    else log(`${study}: done in ${record.duration_s.toFixed(1)} s → ${RESULTS}${study}.json`);
  }
  await nats?.close?.();
  if (!values['no-readme']) {
    const readme = writeBenchReadme();
    if (!values.json) log(`report → ${readme}`);
  }
  return 0;
}

/** Runs `f` on modes of its own (2 agents, whatever the cores), then stops what they started. */
async function withModes<T>(modes: ModeFactory[], f: (modes: ModeFactory[]) => Promise<T>): Promise<T> {
  try {
    return await f(modes);
  } finally {
    for (const m of modes) await m.close?.();
  }
}

process.exitCode = await main();
