// The agent's side of NATS: one agent (one Wasm instance) serving its subjects, in a
// worker thread of the `galdecon agent` process (host.ts).
//
// A request is acted on only if it is sealed for this agent and its run, with a seq
// above the last accepted one for that run (auth.ts); anything else is dropped before
// it is decoded: no reply, no change. The run's driver beats its lease; an agent that
// has not heard from the driver of the run it holds for `leaseMs` releases the run, so
// a dead, killed or cut-off driver never strands it.

import { ID_PATTERN, PROTOCOL_VERSION, encode } from '../protocol.ts';
import { Agent } from '../agent.ts';
import { AgentError, ProtocolError, type AgentCode } from '../../errors.ts';
import { CONTEXT, DropLog, Keys, ReplayGuard, seal, unseal } from './auth.ts';
import { LEASE_MS, Objects, SUBJECTS, fromWire, open, toWire, type NatsOptions } from './wire.ts';
import { TaskPuller } from './tasks.ts';
import type { OpenShared } from '../shared-input.ts';
import type { BlobStore } from '../transport.ts';

/** Logs one line per event. */
export type Log = (line: string) => void;

export interface AgentServeOptions {
  /** Release a run whose driver has been silent this long (ms). */
  leaseMs?: number;
}

/** What the agent's process gives it beside options (functions: they do not cross into a worker's data). */
export interface AgentHooks {
  /** --shared-input: opens the files a driver names (see cluster/shared-input.ts). */
  openShared?: OpenShared;
  /** Where checkpoints are stored (default: from this thread, on its connection). */
  upload?: Upload;
}

/**
 * Stores a sealable frame (from Objects.allocate) as object `name` of run `run`,
 * elsewhere: in the agent process's main thread, which Wasm never blocks, so that a
 * checkpoint is stored while this thread computes (see host.ts).
 */
export type Upload = (run: string, name: string, frame: Uint8Array) => Promise<void>;

/**
 * Serves one agent (one Wasm instance) on its subjects, in a worker thread: requests are
 * handled one at a time in arrival order. Resolves once connected; `drain()` finishes
 * the requests already received, then closes.
 */
export async function serveAgent(
  o: NatsOptions, id: string, log: Log, onRun: (run: string | null) => void, opts: AgentServeOptions = {}, hooks: AgentHooks = {},
): Promise<{ drain(): Promise<void> }> {
  const nc = await open(o, `galdecon-agent-${id}`, true);
  const keys = new Keys(o.secret);
  const guard = new ReplayGuard();
  const drops = new DropLog(log);
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const stores = new Map<string, Objects>();
  const objects = (run: string): Objects => {
    let s = stores.get(run);
    if (!s) {
      if (stores.size > 4) stores.clear();
      s = new Objects(nc, keys, run, false);
      stores.set(run, s);
    }
    return s;
  };
  // Requests that fail (from the run's own driver: sealed) are logged rate-limited too.
  const failures = new DropLog(log, (n, latest) => `${n} request${n > 1 ? 's' : ''} failed (latest: ${latest})`);
  const agentLog = (line: string) => (/^dropped a message|^\w+ failed: /.test(line) ? failures.drop(line) : log(line));
  // Checkpoints (the only objects the Agent puts) go to `upload` when there is one.
  const upload = hooks.upload;
  const storeFor = (run: string): BlobStore => {
    const o = objects(run);
    if (!upload) return o;
    return {
      get: (name) => o.get(name), delete: (name) => o.delete(name), deleteAll: (prefix) => o.deleteAll(prefix),
      allocate: (bytes) => o.allocate(bytes),
      put: (name, bytes) => {
        const frame = o.frameOf(bytes);
        return frame ? upload(run, name, frame) : o.put(name, bytes);
      },
    };
  };
  // Stream schedule: after a `join`, the run's tasks are pulled from its work queue (tasks.ts).
  let puller: TaskPuller | undefined;
  const agent: Agent = new Agent({
    log: agentLog, storeFor, openShared: hooks.openShared,
    onJoin: (req) => {
      if (puller && puller.run === req.run && puller.epoch >= req.epoch) return;
      void puller?.stop();
      puller = new TaskPuller({
        nc, keys, objects: objects(req.run), agent, id, run: req.run, epoch: req.epoch, ackWaitMs: req.ackWaitMs, log, drops,
      });
    },
    // Between a partition's steps: in-progress signals and lease beats go out; a released run's partition is abandoned.
    pause: async () => {
      await new Promise((r) => setImmediate(r));
      if (puller?.cancelled) throw new AgentError('E_STATE', 'the run was released');
    },
  });
  let run: string | null = null;
  /** When the driver of `run` was last heard from. */
  let heard = 0;
  const changed = () => {
    const now = agent.currentRun ?? null;
    if (now === run) return;
    log(now ? `joined run ${now}` : `left run ${run}`);
    if (puller && puller.run !== now) {
      void puller.stop();
      puller = undefined;
    }
    stores.clear();
    run = now;
    heard = Date.now();
    onRun(run);
  };

  const sub = nc.subscribe(`${SUBJECTS.agent(id, '*')}`);
  const done = (async () => {
    for await (const msg of sub) {
      const subjectRun = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
      if (!ID_PATTERN.test(subjectRun)) {
        drops.drop('a request on a malformed subject');
        continue;
      }
      const key = keys.run(subjectRun);
      const got = unseal(key, CONTEXT.request(id, subjectRun), msg.data);
      if (!got) {
        drops.drop(`a request for run ${subjectRun} that is not authentic`);
        continue;
      }
      if (!guard.accept(subjectRun, got.seq)) {
        drops.drop(`a replayed request for run ${subjectRun}`);
        continue;
      }
      if (subjectRun === run) heard = Date.now();
      let reply: Uint8Array;
      try {
        const body = await fromWire(objects, got.body, subjectRun);
        reply = await agent.handle(body.bytes, subjectRun);
        reply = (await toWire(nc, objects(subjectRun), subjectRun, `a.${id}.${got.seq}`, reply)).data;
      } catch (e) {
        failures.drop(`request for run ${subjectRun}: ${(e as Error).message}`);
        const code: AgentCode = e instanceof AgentError || e instanceof ProtocolError ? e.code as AgentCode : 'E_STORE';
        reply = encode({ v: PROTOCOL_VERSION, type: 'error', code, message: (e as Error).message });
      }
      if (msg.reply) msg.respond(seal(key, CONTEXT.reply(id, subjectRun), got.seq, reply));
      // The driver waited for us while we computed: that is no silence of its own.
      if (subjectRun === run) heard = Date.now();
      changed();
    }
  })();

  // Lease beats of the run held (other runs' beats are not for us and are ignored).
  nc.subscribe(SUBJECTS.lease('*'), {
    callback: (_err, msg) => {
      if (run === null || msg.subject !== SUBJECTS.lease(run)) return;
      const got = unseal(keys.run(run), CONTEXT.lease(run), msg.data);
      if (!got) return drops.drop(`a lease beat for run ${run} that is not authentic`);
      if (!guard.accept(`lease ${run}`, got.seq)) return drops.drop(`a replayed lease beat for run ${run}`);
      heard = Date.now();
    },
  });
  const leaseTimer = setInterval(() => {
    if (run === null || Date.now() - heard <= leaseMs) return;
    log(`no word from the driver of run ${run} for ${Math.round((Date.now() - heard) / 1000)} s: releasing it`);
    agent.reset();
    changed();
  }, Math.min(500, leaseMs / 4));

  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') log(`${s.type === 'disconnect' ? 'lost the server' : 'reconnected'}`);
    }
  })();
  return {
    async drain() {
      clearInterval(leaseTimer);
      await puller?.stop();
      drops.flush();
      failures.flush();
      await nc.drain();
      await done;
      agent.reset();
    },
  };
}
