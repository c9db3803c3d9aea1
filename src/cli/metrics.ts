// `galdecon metrics`: quality of an estimate against a clean truth (ALGORITHM §9).

import { InputError } from '../errors.ts';
import { readArray } from '../io/index.ts';
import { summarize, formatMetrics } from '../report/metrics.ts';
import { toJsonSafe } from '../report/report.ts';
import { stackShape } from '../solver/index.ts';
import { parseCommand, helpText, type CommandSpec } from './args.ts';

export const METRICS: CommandSpec = {
  name: 'metrics',
  summary: 'NMSE, ellipticity error and PSNR of an estimate against the truth',
  usage: 'galdecon metrics --truth T --estimate X [--json]',
  options: {
    truth: { kind: 'string', arg: 'FILE', help: 'clean truth stack (N, ny, nx)', required: true },
    estimate: { kind: 'string', arg: 'FILE', help: 'estimated stack, same shape', required: true },
    json: { kind: 'boolean', help: 'print the metrics as one JSON object' },
  },
  notes: 'Per object, then the median and mean over objects; ellipticity from unweighted quadrupole moments.',
};

export async function metricsCommand(argv: string[], io: { out: (s: string) => void }): Promise<number> {
  const a = parseCommand(METRICS, argv);
  if (a.help) {
    io.out(helpText(METRICS));
    return 0;
  }
  const truth = await readArray(a.truth as string);
  const est = await readArray(a.estimate as string);
  const shape = stackShape(truth, String(a.truth));
  if (truth.shape.join() !== est.shape.join()) {
    throw new InputError(`--estimate ${String(a.estimate)} has shape (${est.shape.join(', ')}), the truth (${truth.shape.join(', ')}); they must match`);
  }
  const m = summarize(truth.data, est.data, shape.n, shape.ny, shape.nx);
  io.out(a.json ? JSON.stringify(toJsonSafe(m)) + '\n' : formatMetrics(m, `${String(a.estimate)} vs ${String(a.truth)}`) + '\n');
  return 0;
}
