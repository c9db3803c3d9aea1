// The agents of one run and the partitions each holds. Runs a request on every
// partition, and when an agent is lost (transport failure, deadline, or a reply saying
// it no longer has the state) moves its partitions to live agents, which rebuild them
// to the current point of the run: assign, then restore the last checkpoint if there
// is one, then replay the history since. The history is deterministic, so a rebuilt
// partition holds exactly the bits it would have held.

import { AgentError, ClusterError, type AgentCode } from '../errors.ts';
import { PROTOCOL_VERSION, PROJECT_OP, decodeReply, encode, type Op, type Reply, type Request, type SvtMapMessage } from './protocol.ts';
import type { AgentLink, Transport } from './transport.ts';
import type { EventSink } from './events.ts';

/** The agent is gone or cannot go on with the run (`cause` says why): recover elsewhere. */
export class Lost extends Error {
  constructor(message: string, readonly cause?: Error) {
    super(message);
  }
}

/** Error replies that mean "this agent cannot go on with the run", not "the run is wrong". */
const RECOVERABLE = new Set<AgentCode>(['E_STATE', 'E_BUSY', 'E_NOCKPT', 'E_STORE']);

export interface PoolConfig {
  transport: Transport;
  /** Re-creates the run's object store after the server lost it (agents report E_STORE). */
  ensureStore?: () => Promise<void>;
  run: string;
  partitions: number;
  /** The assign request of a partition (built anew, its inputs read, each time it is sent). */
  assign: (p: number) => Promise<Request>;
  /** Deadline for one request (ms); undefined = the transport's default. */
  timeoutMs?: number;
  /** How long to wait for a replacement when no agent is left (ms). */
  waitAgentsMs: number;
  log: (line: string) => void;
  /** Placements, losses and reply times, for an observer (none: nothing is emitted). */
  onEvent?: EventSink;
}

export class Pool {
  /** Every entry applied to every partition so far. */
  readonly history: Op[] = [];
  /** The history index of the last complete checkpoint, if any. */
  checkpointOp: number | undefined;
  /** Low-rank prior: the SVT map of each project entry since the last checkpoint, for replays. */
  readonly maps = new Map<number, SvtMapMessage>();
  private readonly links: AgentLink[] = [];
  private readonly dead = new Set<AgentLink>();
  /** Agents that turned out to serve another run: not gone, only not for us now. */
  private readonly busy = new Set<AgentLink>();
  private readonly used = new Set<AgentLink>();
  private readonly owner: (AgentLink | undefined)[];
  private rebuilds = 0;

  constructor(private readonly cfg: PoolConfig, links: AgentLink[]) {
    this.links.push(...links);
    this.owner = new Array(cfg.partitions).fill(undefined);
  }

  /** Agents currently serving the run. */
  get live(): AgentLink[] {
    return this.links.filter((l) => !this.dead.has(l) && !this.busy.has(l));
  }

  /** The id of the agent holding partition p. */
  ownerOf(p: number): string | undefined {
    return this.owner[p]?.id;
  }

  /** Places every partition (p on agent p mod K) and builds it up to the current history. */
  async start(): Promise<void> {
    const live = this.live;
    for (let p = 0; p < this.cfg.partitions; p++) {
      this.owner[p] = live[p % live.length];
      this.cfg.onEvent?.({ type: 'placed', partition: p, agent: this.owner[p]!.id });
    }
    await this.build([...this.owner.keys()]);
  }

  /**
   * Sends `build(partitions)` to the owner of each group of partitions (one request per
   * partition if `single`) and returns each partition's reply, recovering lost agents.
   * With `each`, each reply is handed to it as it arrives and not kept.
   */
  async exec(
    build: (partitions: number[]) => Request, single = false, each?: (p: number, reply: Reply) => Promise<void>,
  ): Promise<Map<number, Reply>> {
    const out = new Map<number, Reply>();
    const todo = new Set(this.owner.keys());
    while (todo.size > 0) {
      const lost = new Map<AgentLink, Lost>();
      await Promise.all([...this.groups(todo)].map(async ([link, parts]) => {
        for (const batch of single ? parts.map((p) => [p]) : [parts]) {
          try {
            const req = build(batch);
            const t0 = performance.now();
            const reply = await this.call(link, req);
            this.cfg.onEvent?.({
              type: 'replied', agent: link.id, request: req.type, partitions: batch,
              iterations: req.type === 'step' ? req.iterations : 0, ms: performance.now() - t0,
            });
            for (const p of batch) {
              if (each) await each(p, reply);
              else out.set(p, reply);
              todo.delete(p);
            }
          } catch (e) {
            if (!(e instanceof Lost)) throw e;
            lost.set(link, e);
            return;
          }
        }
      }));
      if (lost.size > 0) await this.recover(lost);
    }
    return out;
  }

  /**
   * Sends `build(link, partitions)` once to each live agent that holds partitions and
   * returns the replies of those that answered. Best effort, for observers: a failure
   * here is left for the next `exec` to notice and recover.
   */
  async poll(build: (partitions: number[]) => Request): Promise<Map<string, Reply>> {
    const out = new Map<string, Reply>();
    await Promise.all([...this.groups(this.owner.keys())].map(async ([link, parts]) => {
      try {
        out.set(link.id, await callOnce(link, build(parts), { timeoutMs: this.cfg.timeoutMs, ensureStore: this.cfg.ensureStore }));
      } catch {
        // noticed by the next exec
      }
    }));
    return out;
  }

  /** Frees the agents' memory (best effort: lost agents need nothing). */
  async release(): Promise<void> {
    const req: Request = { v: PROTOCOL_VERSION, type: 'release', run: this.cfg.run };
    await Promise.allSettled([...this.used].filter((l) => !this.dead.has(l)).map((l) => this.call(l, req)));
  }

  private groups(parts: Iterable<number>): Map<AgentLink, number[]> {
    const g = new Map<AgentLink, number[]>();
    for (const p of parts) {
      const link = this.owner[p]!;
      if (!g.has(link)) g.set(link, []);
      g.get(link)!.push(p);
    }
    return g;
  }

  /** Marks agents lost (or busy: `busy`) and moves their partitions. */
  private async recover(lost: Map<AgentLink, Lost>): Promise<void> {
    let failures = 0;
    for (const [l, e] of lost) {
      const busy = e.cause instanceof AgentError && e.cause.code === 'E_BUSY';
      (busy ? this.busy : this.dead).add(l);
      if (!busy) failures++;
    }
    const moved = [...this.owner.keys()].filter((p) => lost.has(this.owner[p]!));
    if (moved.length === 0) return;
    const why = failures === 0 ? 'is busy with another run' : 'lost';
    this.cfg.log(`agent ${[...lost.keys()].map((l) => l.id).join(', ')} ${why}; moving partition${moved.length > 1 ? 's' : ''} ${moved.join(', ')}`);
    for (const [l, e] of lost) {
      if (!(e.cause instanceof AgentError && e.cause.code === 'E_BUSY')) {
        this.cfg.onEvent?.({ type: 'agent-lost', agent: l.id, partitions: moved.filter((p) => this.owner[p] === l) });
      }
    }
    await this.place(moved, failures > 0);
  }

  /** Gives each partition to the least-loaded live agent, waiting for one if none is left. */
  private async place(parts: number[], failure = true): Promise<void> {
    // Busy agents are no failure: runs competing for agents must not give up.
    if (failure) this.rebuilds += parts.length;
    if (this.rebuilds > 4 * this.cfg.partitions + 16) throw new ClusterError('too many agent failures; giving up');
    if (this.live.length === 0) {
      const ids = new Set([...this.dead].map((l) => l.id));
      const s = Math.round(this.cfg.waitAgentsMs / 1000);
      this.cfg.log(`no agent left; waiting up to ${s} s for one`);
      const more = (await this.cfg.transport.replacements?.(ids, this.cfg.waitAgentsMs)) ?? [];
      if (more.length === 0) throw new ClusterError(`no agent left for the run (waited ${s} s for a replacement)`);
      this.links.push(...more);
      for (const l of more) this.cfg.onEvent?.({ type: 'agent-joined', agent: l.id });
    }
    const load = new Map(this.live.map((l) => [l, 0]));
    for (const o of this.owner) if (o && load.has(o)) load.set(o, load.get(o)! + 1);
    for (const p of parts) {
      const [best] = [...load].sort((a, b) => a[1] - b[1]);
      this.owner[p] = best[0];
      load.set(best[0], best[1] + 1);
      this.cfg.onEvent?.({ type: 'placed', partition: p, agent: best[0].id });
    }
    await this.build(parts);
  }

  /** Builds partitions on their owners up to the current history; re-places failures. */
  private async build(parts: number[]): Promise<void> {
    const lost = new Map<AgentLink, Lost>();
    await Promise.all([...this.groups(parts)].map(async ([link, ps]) => {
      this.used.add(link);
      try {
        for (const p of ps) await this.buildOne(link, p);
      } catch (e) {
        if (!(e instanceof Lost)) throw e;
        lost.set(link, e);
      }
    }));
    if (lost.size > 0) await this.recover(lost);
  }

  private async buildOne(link: AgentLink, p: number): Promise<void> {
    const { run } = this.cfg;
    const at = this.history.length;
    await this.call(link, await this.cfg.assign(p));
    let from = 0;
    const ck = this.checkpointOp;
    if (ck !== undefined && ck > 0 && ck <= at) {
      try {
        await this.call(link, { v: PROTOCOL_VERSION, type: 'restore', run, partition: p, op: ck });
        from = ck;
      } catch (e) {
        if (!(e instanceof Lost && e.cause instanceof AgentError && e.cause.code === 'E_NOCKPT')) throw e;
        this.cfg.log(`checkpoint ${ck} of partition ${p} is unavailable; replaying from the start`);
      }
    }
    if (at > from) {
      const ops = this.history.slice(from, at);
      const maps: Record<string, SvtMapMessage> = {};
      ops.forEach((op, i) => {
        if (op !== PROJECT_OP) return;
        const map = this.maps.get(from + i);
        if (!map) throw new ClusterError(`partition ${p} cannot be rebuilt: the SVT map of history entry ${from + i} is gone`);
        maps[from + i] = map;
      });
      const withMaps = Object.keys(maps).length > 0 ? { maps } : {};
      await this.call(link, { v: PROTOCOL_VERSION, type: 'replay', run, partition: p, from, ops, ...withMaps });
    }
    this.cfg.onEvent?.({ type: 'built', partition: p, agent: link.id });
  }

  private call(link: AgentLink, req: Request): Promise<Reply> {
    return callAgent(link, req, {
      timeoutMs: this.cfg.timeoutMs, recovers: this.cfg.transport.replacements !== undefined, ensureStore: this.cfg.ensureStore,
    });
  }
}

/**
 * One request; Lost if the agent cannot serve it, ClusterError if the run cannot go on.
 * Only transports that can find replacements (`recovers`) recover: a local worker fails
 * only on a bug, and then the run ends with the agent's error.
 */
export async function callAgent(
  link: AgentLink, req: Request, opts: CallOptions & { recovers: boolean },
): Promise<Reply> {
  try {
    return await callOnce(link, req, opts);
  } catch (e) {
    if (e instanceof Lost && !opts.recovers) throw new ClusterError(e.message);
    throw e;
  }
}

interface CallOptions {
  timeoutMs?: number;
  /** A long request (a partition solved whole): see AgentLink.request. */
  patient?: boolean;
  /** Re-creates the run's object store after the server lost it. */
  ensureStore?: () => Promise<void>;
}

async function callOnce(link: AgentLink, req: Request, opts: CallOptions): Promise<Reply> {
  let reply: Reply;
  for (let attempt = 1; ; attempt++) {
    try {
      reply = decodeReply(await link.request(encode(req), { timeoutMs: opts.timeoutMs, patient: opts.patient }));
    } catch (e) {
      throw new Lost(`agent ${link.id}: ${(e as Error).message}`);
    }
    // The object store can be briefly unreachable (a server restart), or gone (a server
    // that lost its store): re-create it, wait and retry.
    if (reply.type !== 'error' || reply.code !== 'E_STORE' || attempt >= 30) break;
    await opts.ensureStore?.().catch(() => {});
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (reply.type === 'error') {
    const msg = `agent ${link.id} failed on ${req.type}: ${reply.message}`;
    const code = reply.code as AgentCode;
    if (RECOVERABLE.has(code)) throw new Lost(`${code} ${msg}`, new AgentError(code, msg));
    throw new ClusterError(msg);
  }
  return reply;
}
