// The benchmark harness works end to end in quick mode (this checks the harness, not
// the speed): every study writes its JSON and plot.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { natsAvailable } from './support/nats-server.ts';

const HARNESS = fileURLToPath(new URL('../bench/index.ts', import.meta.url));

test('npm run bench -- --quick: every study completes and writes its results', () => {
  const out = mkdtempSync(join(tmpdir(), 'galdecon-bench-'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', HARNESS, '--quick', '--json', '--no-readme'], {
    encoding: 'utf8', env: { ...process.env, GALDECON_BENCH_RESULTS: out }, timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  for (const study of ['kernels', 'partitions', 'memory', 'convergence', 'scaling', 'peer', 'e2e', 'serve', 'checkpoint', 'stream', 'scale', 'priors', 'quality']) {
    const path = join(out, `${study}.json`);
    assert.ok(existsSync(path), `${study}.json missing`);
    const j = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(j.study, study);
    assert.equal(j.quick, true);
    assert.equal(typeof j.machine.cores, 'number', `${study}: no machine description`);
  }
  for (const svg of ['kernels', 'partitions', 'memory', 'convergence', 'scaling', 'scale', 'quality', 'quality-nmse']) {
    assert.match(readFileSync(join(out, `${svg}.svg`), 'utf8'), /<svg /, `${svg}.svg`);
  }
  const k = JSON.parse(readFileSync(join(out, 'kernels.json'), 'utf8'));
  assert.ok(k.us_per_object_iteration > 0 && k.scalar_us_per_object_iteration > k.us_per_object_iteration, 'kernels figures');
  const c = JSON.parse(readFileSync(join(out, 'convergence.json'), 'utf8'));
  assert.equal(c.identical_output, true, 'one agent and all agents gave different outputs');
  const e = JSON.parse(readFileSync(join(out, 'e2e.json'), 'utf8'));
  assert.equal(e.identical_output, true, 'local and NATS gave different outputs');
  const ck = JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8'));
  assert.equal(ck.identical_output, true, 'checkpoints changed the output');
  assert.deepEqual(ck.runs.map((x: { checkpoint_every: number }) => x.checkpoint_every), [0, 25]);
  assert.deepEqual(ck.runs.map((x: { checkpoints: number }) => x.checkpoints), [0, 1], 'the checkpointed run did not complete its checkpoint at iteration 25');
  assert.ok(ck.runs.every((x: { agents_cpu_s: number; server_cpu_s: number }) => x.agents_cpu_s > 0 && x.server_cpu_s > 0), 'checkpoint study: no CPU measured');
  const w = JSON.parse(readFileSync(join(out, 'serve.json'), 'utf8'));
  assert.equal(w.identical_output, true, '--serve changed the output');
  assert.deepEqual(w.summary.map((x: { variant: string }) => x.variant), ['plain', 'serve, no viewer', 'serve, one viewer']);
  assert.ok(w.runs.find((x: { variant: string }) => x.variant === 'serve, one viewer').events_bytes > 0, 'the viewer received no events');
  const st = JSON.parse(readFileSync(join(out, 'stream.json'), 'utf8'));
  assert.deepEqual([...new Set(st.runs.map((r: { schedule: string }) => r.schedule))], ['lockstep', 'stream']);
  for (const r of st.runs) assert.ok(r.peak_total_bytes > 0 && r.object_iterations_per_s > 0, `stream study: ${JSON.stringify(r)}`);
  const sc = JSON.parse(readFileSync(join(out, 'scale.json'), 'utf8'));
  assert.deepEqual(sc.rows.map((r: { objects: number }) => r.objects), [200, 800]);
  for (const r of sc.rows) assert.ok(r.iterations === 20 && r.object_iterations === 20 * r.objects && r.peak_total_bytes > 0, `scale study: ${JSON.stringify(r)}`);
  // the low-rank priors timed against sparse, and the shapes each prior recovers
  const pr = JSON.parse(readFileSync(join(out, 'priors.json'), 'utf8'));
  assert.deepEqual(pr.rows.map((x: any) => x.prior), ['sparse', 'lowrank', 'both']);
  for (const row of pr.rows.slice(1)) assert.ok(row.ratio_to_sparse > 0 && row.ranks.length === row.iterations, JSON.stringify(row));
  // the peak RSS of a fresh driver and agent process per prior (nats-server is here: CI runs it)
  if (natsAvailable()) for (const row of pr.rows) assert.ok(row.driver_peak_rss_bytes > 2 ** 20 && row.agents_peak_rss_bytes > 2 ** 20 && row.rss_iterations === 2, JSON.stringify(row));
  const q = JSON.parse(readFileSync(join(out, 'quality.json'), 'utf8'));
  assert.deepEqual(q.rows.map((x: any) => x.method), ['observations', 'sparse', 'lowrank', 'both']);
  for (const row of q.rows) assert.ok(row.ellipticity_error_median > 0 && row.nmse_median > 0, JSON.stringify(row));
  // deconvolution of any kind beats the observations' pixel error, even in 40 iterations
  for (const row of q.rows.slice(1)) assert.ok(row.nmse_median < q.rows[0].nmse_median, JSON.stringify(row));
});
