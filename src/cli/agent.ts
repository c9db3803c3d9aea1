// `galdecon agent --nats URL`: a long-running process serving any number of runs, one
// after another, with --threads agents (the cluster layer's agent host: worker threads,
// each with its own NATS connection and Wasm instance, and a heartbeat). One line per
// event on stderr. SIGINT/SIGTERM drain: requests already received are finished, then
// the process exits 0.

import { OptionError } from '../errors.ts';
import { LEASE_MS, checkAgentCount, hostAgents } from '../cluster/index.ts';
import { parseCommand, helpText, type CommandSpec } from './args.ts';
import { NATS_OPTIONS, natsOptionsFrom } from './nats-options.ts';
import { sharedRoots } from './shared-input.ts';

/** The agents' thread entry: the cluster's agent with this process's --shared-input opener. */
const WORKER = new URL('./agent-entry.mjs', import.meta.url);

export const AGENT: CommandSpec = {
  name: 'agent',
  summary: 'serve deconvolution runs from a NATS server (long-running)',
  usage: 'galdecon agent --nats URL [--threads K] [--shared-input DIR] [auth/TLS options]',
  options: {
    nats: { kind: 'string', arg: 'URL', help: 'NATS server(s), e.g. nats://host:4222 (comma-separated for a cluster)', required: true },
    threads: { kind: 'integer', arg: 'K', help: 'agents in this process (one worker thread and Wasm instance each; at most 4 per core)', default: 1 },
    lease: { kind: 'number', arg: 'SECONDS', help: "release a run whose driver has been silent this long", default: LEASE_MS / 1000 },
    oversubscribe: { kind: 'boolean', help: 'allow more than 4 agents per core' },
    'shared-input': { kind: 'string', arg: 'DIR[,DIR…]', help: 'read the partitions of runs started with --shared-input from files under these directories (a file system every host sees); no other file is read' },
    ...NATS_OPTIONS,
  },
  notes: [
    'Announces itself, beats every second, and serves runs one after another until SIGINT/SIGTERM,',
    'which finishes the requests in hand and exits 0. If the server goes away it reconnects forever',
    '(a driver moves the partitions of a silent agent elsewhere after a few seconds). An agent serves',
    'one run at a time; it releases a run whose driver has not beaten its lease for --lease seconds.',
    'One line per event on stderr. Secrets are never printed.',
    'example: GALDECON_NATS_PASS=… galdecon agent --nats nats://nats.example:4222 --nats-user galdecon --threads 4',
  ].join('\n'),
};

export async function agentCommand(argv: string[], io: { out: (s: string) => void }): Promise<number> {
  const a = parseCommand(AGENT, argv);
  if (a.help) {
    io.out(helpText(AGENT));
    return 0;
  }
  const threads = a.threads as number;
  if (!(threads >= 1)) throw new OptionError(`--threads must be ≥ 1 (got ${threads})`);
  checkAgentCount(threads, '--threads', a.oversubscribe === true);
  const lease = a.lease as number;
  if (!(lease > 0 && lease <= 86_400)) throw new OptionError(`--lease must be in (0, 86400] seconds (got ${lease})`);
  const nats = natsOptionsFrom(a);
  const shared = a['shared-input'] === undefined ? [] : await sharedRoots(a['shared-input'] as string);
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} galdecon agent: ${line}\n`);
  const host = await hostAgents(nats, threads, log, { leaseMs: lease * 1000 }, { entry: WORKER, data: { sharedInput: shared } });
  log(`serving as ${host.ids.join(', ')}${shared.length > 0 ? `; shared input read from ${shared.join(', ')}` : ''}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: draining`);
    await host.stop();
    log('stopped');
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return host.done;
}
