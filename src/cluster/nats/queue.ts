// The stream schedule's durable work queue, on JetStream (the driver's side; the agents'
// side is tasks.ts).
//
// Tasks: one message per partition on the run's work-queue stream (retention workqueue,
// file storage), sealed with the run key; a task names its partition's `solve` inputs,
// an object of the run's store (a partition's pixels do not fit a message). Agents pull
// them through one durable consumer with explicit acks: an agent that dies leaves its
// task unacked, and JetStream delivers it again after the ack wait (agents signal
// progress well within it while a long partition solves).
//
// Results: the agent stores its reply as an object and then creates the partition's
// result record done.<p> (KV create). The server lets exactly one creation win, so a
// partition solved twice (a redelivered task whose first agent was only slow) keeps one
// result, decided where the driver's death cannot undo it; the loser deletes its copy.
// The driver watches the records and takes each partition once.
//
// Durable: results stay in the store until the run completes, so a driver started with
// --resume reads the finished partitions back into its (new, staged) output and queues
// only the others. `epoch` names the run's incarnation: a fresh start takes a new one,
// and records, inputs and tasks of an older one never pass for this one's.
//
// The driver keeps at most `depth` tasks per agent queued or in flight (inputs are read
// when queued), so neither it nor the store holds more than that of the input.

import { AckPolicy, DeliverPolicy, JSONCodec, RetentionPolicy, StorageType, nanos, type NatsConnection } from 'nats';
import { ClusterError } from '../../errors.ts';
import { callAgent, Lost } from '../pool.ts';
import {
  PROTOCOL_VERSION, decodeDone, decodeReply, encode, inputName, resultKey, type Done, type Task,
} from '../protocol.ts';
import type { AgentLink, PartitionQueue, QueueJob } from '../transport.ts';
import { CONTEXT, DropLog, type Keys, type Sequence, seal } from './auth.ts';
import { LOST_AFTER_MS, QUEUE, isMissingStream, retrying, type Objects } from './wire.ts';
import { STREAM_DEPTH } from '../stream.ts';

/** Default ack wait: a dead agent's task goes to another agent this long after its last progress signal. */
export const ACK_WAIT_MS = 10_000;
const STATE = 'stream-state';
const jc = JSONCodec<{ epoch: number; partitions: number; sigma: number }>();

/** What the queue needs from the NATS transport (driver.ts). */
export interface QueueHost {
  conn(): NatsConnection;
  readonly keys: Keys;
  readonly seqs: Sequence;
  objects(): Objects;
  /** Agents whose heartbeats (recent ones) say they serve `run`. */
  serving(run: string): Set<string>;
  replacements(exclude: ReadonlySet<string>, timeoutMs: number): Promise<AgentLink[]>;
}

export interface QueueOptions {
  ackWaitMs?: number;
  waitAgentsMs: number;
  depth?: number;
  log: (line: string) => void;
}

export class JetStreamQueue implements PartitionQueue {
  private constructor(
    private readonly host: QueueHost, private readonly run: string, private readonly epoch: number,
    private readonly o: QueueOptions, readonly resumed?: { partitions: number; sigma: number },
  ) {}

  /** Opens the run's queue: a fresh one (a new epoch), or with `resume` the one an earlier driver left. */
  static async open(host: QueueHost, run: string, resume: boolean, o: QueueOptions): Promise<JetStreamQueue> {
    const jsm = await host.conn().jetstreamManager();
    const name = QUEUE.stream(run);
    const saved = resume ? await host.objects().get(STATE) : null;
    const state = saved ? jc.decode(saved) : undefined;
    if (!state) await jsm.streams.delete(name).catch(() => {});
    await retrying('creating the work queue', async () => {
      try {
        await jsm.streams.info(name);
      } catch (e) {
        if (!isMissingStream(e)) throw e;
        await jsm.streams.add({
          name, subjects: [QUEUE.subject(run)], retention: RetentionPolicy.Workqueue, storage: StorageType.File,
          duplicate_window: nanos(120_000),
        });
      }
      // Tasks a dead driver left: those of unfinished partitions are queued again below.
      if (state) await jsm.streams.purge(name);
      await jsm.consumers.add(name, {
        durable_name: QUEUE.consumer, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(o.ackWaitMs ?? ACK_WAIT_MS), max_deliver: -1,
      });
    });
    return new JetStreamQueue(host, run, state?.epoch ?? host.seqs.next(), o, state && { partitions: state.partitions, sigma: state.sigma });
  }

  async solve(job: QueueJob, first: AgentLink[]): Promise<number> {
    const { host, run, epoch } = this;
    const objects = host.objects();
    const nc = host.conn();
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const drops = new DropLog(job.log);
    const ackWaitMs = this.o.ackWaitMs ?? ACK_WAIT_MS;
    if (!this.resumed) {
      await retrying('saving the run state', () => objects.put(STATE, jc.encode({ epoch, partitions: job.partitions, sigma: job.sigma })));
    }

    // Partitions finished before a resume: taken from the store, never queued.
    const stored = new Set<number>();
    if (this.resumed) {
      for (const name of await objects.names('done.*')) {
        const p = Number(name.slice(5));
        const r = Number.isInteger(p) ? await objects.record(name) : null;
        if (r?.body && this.ours(r.body, p)) stored.add(p);
      }
    }

    const joined = new Map<string, AgentLink>();
    const join = async (links: AgentLink[]): Promise<void> => {
      await Promise.all(links.map(async (l) => {
        try {
          await callAgent(l, { v: PROTOCOL_VERSION, type: 'join', run, epoch, ackWaitMs }, { recovers: true, timeoutMs: 30_000 });
          joined.set(l.id, l);
        } catch (e) {
          if (!(e instanceof Lost)) throw e;
          job.log(`agent ${l.id} cannot join: ${e.message}`);
        }
      }));
    };
    await join(first);
    job.log(`work queue ${QUEUE.stream(run)}: ${joined.size} agent${joined.size === 1 ? '' : 's'} joined; a task is given to another agent ${ackWaitMs / 1000} s after its agent's last progress signal`);

    const taken = new Set<number>();
    /** Queued or in flight: partition → times queued. */
    const outstanding = new Map<number, number>();
    let next = 0;
    let failure: unknown;
    let requeued = 0;
    let lastServed = Date.now();
    const window = () => Math.max(1, joined.size) * (this.o.depth ?? STREAM_DEPTH);

    const publish = async (p: number): Promise<void> => {
      outstanding.set(p, (outstanding.get(p) ?? 0) + 1);
      const spec = await job.spec(p);
      const input = inputName(epoch, p);
      await retrying('storing a partition\'s inputs', () => objects.put(input, encode({ v: PROTOCOL_VERSION, type: 'solve', run, spec })));
      const task: Task = { v: PROTOCOL_VERSION, type: 'task', run, epoch, partition: p, input };
      const seq = host.seqs.next();
      const data = seal(host.keys.run(run), CONTEXT.task(run), seq, encode(task));
      // The message id makes a publish retried after a lost ack count once.
      await retrying('queueing a task', () => js.publish(QUEUE.subject(run), data, { msgID: `${p}.${seq}` }));
    };
    let filling = false;
    const fill = async (): Promise<void> => {
      if (filling) return;
      filling = true;
      try {
        while (failure === undefined && outstanding.size < window() && next < job.partitions) {
          const p = next++;
          if (!stored.has(p) && !taken.has(p)) await publish(p);
        }
      } catch (e) {
        failure ??= e;
      } finally {
        filling = false;
      }
    };

    let finish!: () => void;
    const finished = new Promise<void>((r) => { finish = r; });
    const fail = (e: unknown) => { failure ??= e; finish(); };

    const take = async (name: string, body: Uint8Array | undefined, revision: number): Promise<void> => {
      const p = Number(name.slice(5));
      if (!Number.isInteger(p) || p >= job.partitions) return drops.drop('a result record of no partition');
      if (!body) return drops.drop(`a result record for partition ${p} that is not authentic`);
      let done: Done;
      try {
        done = decodeDone(body);
      } catch {
        return drops.drop(`a malformed result record for partition ${p}`);
      }
      if (!this.ours(body, p)) return drops.drop(`a result record for partition ${p} of another run or an earlier start of this one`);
      if (taken.has(p)) return;
      const bytes = await retrying('reading a result', () => objects.get(done.object), 10_000).catch(() => null);
      if (!bytes) {
        // Gone from the store (removed by someone, or lost by the server): solve it again.
        job.log(`the result of partition ${p} is missing from the store; queueing it again`);
        await objects.drop(name, revision).catch(() => {});
        if (++requeued > 4 * job.partitions + 16) throw new ClusterError('too many lost tasks; giving up');
        return publish(p);
      }
      const reply = decodeReply(bytes);
      if (reply.type === 'error') throw new ClusterError(`agent ${done.agent} failed on partition ${p}: ${reply.message}`);
      if (reply.type !== 'solved') throw new ClusterError(`agent ${done.agent} returned a ${reply.type} for partition ${p}`);
      await job.take(p, reply, { agent: done.agent, stored: stored.has(p) });
      taken.add(p);
      outstanding.delete(p);
      if (!stored.has(p)) void objects.delete(inputName(epoch, p)).catch(() => {});
      if (taken.size === job.partitions) finish();
      else void fill();
    };

    const watch = await retrying('watching the results', () => objects.watch('done.*'));
    const watching = (async () => {
      for await (const r of watch) {
        try {
          await take(r.name, r.body, r.revision);
        } catch (e) {
          fail(e);
        }
        if (failure !== undefined || taken.size === job.partitions) break;
      }
    })();

    // Watchdog: agents gone (replacements joined), and tasks no agent holds nor will
    // receive (removed from the stream by someone, or past a consumer change): queued again.
    let idle = 0;
    const watchdog = setInterval(() => void (async () => {
      if (failure !== undefined || taken.size === job.partitions) return;
      const serving = host.serving(run);
      if ([...joined.keys()].some((id) => serving.has(id))) lastServed = Date.now();
      else if (Date.now() - lastServed > LOST_AFTER_MS) {
        const s = Math.round(this.o.waitAgentsMs / 1000);
        job.log(`no agent serves the run; waiting up to ${s} s for one`);
        const more = await host.replacements(new Set(), this.o.waitAgentsMs);
        if (more.length === 0) return fail(new ClusterError(`no agent left for the run (waited ${s} s for a replacement)`));
        await join(more);
      }
      const info = await jsm.consumers.info(QUEUE.stream(run), QUEUE.consumer).catch(() => undefined);
      if (!info || info.num_pending + info.num_ack_pending > 0 || outstanding.size === 0) {
        idle = 0;
        return;
      }
      if (++idle < 2) return;
      idle = 0;
      for (const p of outstanding.keys()) {
        if (taken.has(p)) continue;
        const r = await objects.record(resultKey(p)).catch(() => null);
        if (r?.body && this.ours(r.body, p)) continue; // its record is on its way
        job.log(`the task of partition ${p} left the queue unfinished; queueing it again`);
        if (++requeued > 4 * job.partitions + 16) return fail(new ClusterError('too many lost tasks; giving up'));
        await publish(p);
      }
    })().catch(fail), Math.max(500, Math.min(2000, ackWaitMs / 2)));

    try {
      await fill();
      if (failure === undefined && taken.size < job.partitions) await finished;
      if (failure !== undefined) throw failure;
    } finally {
      clearInterval(watchdog);
      watch.stop();
      await watching;
      drops.flush();
      await Promise.allSettled([...joined.values()].map((l) =>
        callAgent(l, { v: PROTOCOL_VERSION, type: 'release', run }, { recovers: true, timeoutMs: 10_000 })));
    }
    return new Set([...joined.keys()]).size;
  }

  /** Whether a (authentic) result record is this run's, this start's, for partition p. */
  private ours(body: Uint8Array, p: number): boolean {
    try {
      const d = decodeDone(body);
      return d.run === this.run && d.epoch === this.epoch && d.partition === p;
    } catch {
      return false;
    }
  }
}
