// The `galdecon` command: dispatches to subcommands, and turns user errors into one line
// on stderr and a non-zero exit (no stack trace); anything else is a bug and says so.

import { GaldeconError } from '../errors.ts';
import { runCommand, RUN } from './run.ts';
import { metricsCommand, METRICS } from './metrics.ts';
import { simulateCommand, SIMULATE } from './simulate.ts';
import { agentCommand, AGENT } from './agent.ts';
import type { CommandSpec } from './args.ts';

type Command = { spec: CommandSpec; run: (argv: string[], io: { out: (s: string) => void }) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  run: { spec: RUN, run: runCommand },
  agent: { spec: AGENT, run: agentCommand },
  simulate: { spec: SIMULATE, run: simulateCommand },
  metrics: { spec: METRICS, run: metricsCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return [
    'galdecon — sparse deconvolution of galaxy images with space-variant PSFs',
    '',
    'usage: galdecon <command> [options]     (galdecon <command> --help for its options)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}${c.spec.summary}`),
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    const { softwareInfo } = await import('../report/report.ts');
    out(`${softwareInfo().version}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`galdecon: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  try {
    return await cmd.run(rest, { out });
  } catch (e) {
    if (e instanceof GaldeconError) {
      process.stderr.write(`galdecon ${name}: error: ${e.message}\n`);
      return e.code === 'E_OPTION' ? 2 : 1;
    }
    process.stderr.write(`galdecon ${name}: internal error (please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
    return 70;
  }
}
