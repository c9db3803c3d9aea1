// The benchmark harness: `npm run bench -- --kernels [--quick] [--json]`.
// Results go to bench/results/<study>.json with the machine that produced them.

import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from './machine.ts';
import { kernelsStudy } from './kernels.ts';

const HELP = `galdecon bench — measure galdecon on this machine

usage: npm run bench -- [--kernels] [--quick] [--json]

  --kernels   tinybench micro-benchmarks of every kernel and of the full iteration,
              µs per object-iteration on one core, next to the scalar TypeScript code
  --quick     short runs (checks the harness, not the speed)
  --json      print one JSON line per study instead of tables
  --help      this text

Results are written to bench/results/<study>.json.
`;

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

async function main(): Promise<number> {
  let values: Record<string, boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { kernels: { type: 'boolean' }, quick: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const studies = values.kernels ? ['kernels'] : ['kernels'];
  const log = (s: string) => { if (!values.json) process.stderr.write(s + '\n'); };
  const machine = await machineInfo();
  await mkdir(RESULTS, { recursive: true });
  for (const study of studies) {
    const result = await kernelsStudy({ quick: values.quick === true, log });
    const record = { ...result, quick: values.quick === true, machine, date: new Date().toISOString() };
    await writeFile(`${RESULTS}${study}.json`, JSON.stringify(record, null, 2) + '\n');
    if (values.json) {
      process.stdout.write(JSON.stringify(record) + '\n');
    } else {
      process.stdout.write(`\n${study} — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (one core used)\n`);
      for (const r of result.rows) {
        process.stdout.write(`  ${r.size.padEnd(6)} ${r.task.padEnd(48)} ${r.us_per_object.toFixed(2).padStart(9)} µs/object  ±${r.rme_percent.toFixed(1)}%\n`);
      }
      process.stdout.write(`\n  full iteration at 41x41: ${result.us_per_object_iteration.toFixed(2)} µs per object-iteration` +
        ` (scalar TypeScript ${result.scalar_us_per_object_iteration.toFixed(0)} µs, ×${result.speedup_vs_scalar.toFixed(0)})\n`);
    }
  }
  return 0;
}

process.exitCode = await main();
