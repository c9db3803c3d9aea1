// The `galdecon` command: dispatches to subcommands, and turns user errors into one line
// on stderr and a non-zero exit (no stack trace); anything else is a bug and says so.

import { GaldeconError } from '../errors.ts';
import { removeTempFiles } from '../io/index.ts';
import { softwareInfo } from '../report/report.ts';
import { runCommand, RUN } from './run.ts';
import { metricsCommand, METRICS } from './metrics.ts';
import { simulateCommand, SIMULATE } from './simulate.ts';
import { agentCommand, AGENT } from './agent.ts';
import type { CommandSpec } from './args.ts';

type Command = { spec: CommandSpec; run: (argv: string[], io: CliIo) => Promise<number> };

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

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const STDIO: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/**
 * Runs one command; returns its exit status: 0 done, 1 bad data or a failed run, 2 bad
 * usage, 70 a bug. `io` lets tests run commands in-process.
 */
export async function main(argv: string[], io: CliIo = STDIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${softwareInfo().name} ${softwareInfo().version}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`galdecon: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')} (see \`galdecon --help\`)\n`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof GaldeconError) {
      const msg = e.message.replace(/\s*\n\s*/g, ' ');
      const code = e.code === 'E_OPTION' ? 2 : 1;
      // With --log-json the error is a JSON line too, like every other line of the run.
      if (rest.includes('--log-json')) io.err(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg, code: e.code, exit: code }) + '\n');
      else io.err(`galdecon ${name}: error: ${msg}\n`);
      return code;
    }
    if (e instanceof RangeError && /allocation failed|Invalid (typed )?array length|out of memory/i.test(e.message)) {
      io.err(`galdecon ${name}: error: not enough memory (${e.message}); use fewer or smaller objects per run\n`);
      return 1;
    }
    io.err(`galdecon ${name}: internal error (please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
    return 70;
  }
}

/**
 * Makes SIGINT/SIGTERM remove the temporary files of writes in progress before the
 * process exits (128 + signal number, as shells expect). For the short-lived commands;
 * `galdecon agent` drains on signals instead.
 */
export function cleanUpOnSignals(command: string | undefined): void {
  if (command === 'agent') return;
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      removeTempFiles();
      process.stderr.write(`\ngaldecon${command ? ` ${command}` : ''}: interrupted (${sig}); nothing was written\n`);
      process.exit(code);
    });
  }
}
