// The agents' side of the stream schedule's work queue (the driver's side: queue.ts).
// After a `join`, an agent pulls its run's tasks through the durable consumer, two at a
// time (one solving, the next one's inputs arriving), and for each:
//
//   - checks the task is sealed with the run key and of the run's current start (epoch),
//     else terminates it unread (a forged or replayed task is never solved);
//   - skips it if the partition's result is there already;
//   - reads its inputs, solves it (one partition at a time per Wasm instance), telling
//     JetStream it is still working on it every quarter of the ack wait;
//   - stores its reply as an object and claims the partition's result record (KV create:
//     one result per partition; a loser deletes its object), then acks.
//
// An agent that dies leaves its task unacked: JetStream gives it to another agent after
// the ack wait. Store errors nak the task for a retry a second later.

import type { JsMsg, NatsConnection } from 'nats';
import type { Agent } from '../agent.ts';
import {
  PROTOCOL_VERSION, decodeDone, decodeReply, decodeTask, encode, resultKey, type Done, type Task,
} from '../protocol.ts';
import { CONTEXT, type DropLog, type Keys, unseal } from './auth.ts';
import { QUEUE, sleep, type Objects } from './wire.ts';

/** Tasks an agent holds at once: one solving, the next one's inputs arriving. */
const SLOTS = 2;

export interface TaskPullerConfig {
  nc: NatsConnection;
  keys: Keys;
  objects: Objects;
  agent: Agent;
  id: string;
  run: string;
  epoch: number;
  ackWaitMs: number;
  log: (line: string) => void;
  drops: DropLog;
}

export class TaskPuller {
  private stopped = false;
  /** The Wasm instance solves one partition at a time. */
  private turn: Promise<void> = Promise.resolve();
  private readonly loops: Promise<void>[];

  constructor(private readonly c: TaskPullerConfig) {
    this.loops = Array.from({ length: SLOTS }, () => this.loop());
  }

  get run(): string {
    return this.c.run;
  }

  get epoch(): number {
    return this.c.epoch;
  }

  get cancelled(): boolean {
    return this.stopped;
  }

  /** Stops pulling; a task in hand is given back (nak) or abandoned at the solve's next step. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.c.drops.flush();
    await Promise.allSettled(this.loops);
  }

  private async loop(): Promise<void> {
    const { nc } = this.c;
    let consumer: Awaited<ReturnType<ReturnType<NatsConnection['jetstream']>['consumers']['get']>> | undefined;
    while (!this.stopped) {
      let msg: JsMsg | null;
      try {
        consumer ??= await nc.jetstream().consumers.get(QUEUE.stream(this.c.run), QUEUE.consumer);
        msg = await consumer.next({ expires: 2000 });
      } catch {
        // The queue is gone (the run ended: `release` or the lease stops us) or the server is away.
        consumer = undefined;
        await sleep(500);
        continue;
      }
      if (!msg) continue;
      if (this.stopped) {
        msg.nak();
        break;
      }
      await this.handle(msg);
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { run, epoch, objects, drops } = this.c;
    const beat = setInterval(() => msg.working(), Math.max(100, this.c.ackWaitMs / 4));
    try {
      const got = unseal(this.c.keys.run(run), CONTEXT.task(run), msg.data);
      if (!got) return terminate(msg, () => drops.drop(`a task for run ${run} that is not authentic`));
      let task: Task;
      try {
        task = decodeTask(got.body);
      } catch {
        return terminate(msg, () => drops.drop(`a malformed task for run ${run}`));
      }
      if (task.run !== run) return terminate(msg, () => drops.drop(`a task of run ${task.run} on the queue of run ${run}`));
      if (task.epoch !== epoch) {
        // An older start's task is a replay; a newer start's driver joins us again first.
        if (task.epoch < epoch) return terminate(msg, () => drops.drop(`a task of an earlier start of run ${run}`));
        msg.nak(1000);
        return;
      }
      const p = task.partition;
      const delivery = msg.info.redeliveryCount;
      if (delivery > 1) this.c.log(`partition ${p} of run ${run}: delivery ${delivery} (an earlier one was not acked in time)`);
      if (await this.finished(p)) {
        msg.ack();
        return;
      }
      const input = await objects.get(task.input);
      if (!input) {
        // Removed by someone: the driver queues the partition again.
        this.c.log(`the inputs of partition ${p} are missing from the store; dropping its task`);
        msg.term();
        return;
      }
      const t0 = performance.now();
      const reply = await this.solve(input);
      if (reply === undefined) {
        msg.nak();
        return;
      }
      // A store failure above would leave no result: the task is retried (nak, below).
      const object = `x.${epoch}.${p}.${this.c.id}`;
      await objects.put(object, reply);
      const done: Done = { v: PROTOCOL_VERSION, type: 'done', run, epoch, partition: p, object, agent: this.c.id };
      // A record that is not authentic, or of an earlier start, is taken over; an equal one wins.
      const kept = await objects.claim(resultKey(p), encode(done), (current) => !current || !this.ofThisStart(current, p));
      if (!kept) await objects.delete(object).catch(() => {});
      msg.ack();
      const failed = decodeReply(reply);
      this.c.log(`partition ${p} of run ${run} ${failed.type === 'error' ? `failed: ${failed.message}` : 'solved'} in ${((performance.now() - t0) / 1000).toFixed(2)} s${kept ? '' : ' (another agent\'s result was kept)'}`);
    } catch (e) {
      this.c.log(`a task of run ${run} is retried: ${(e as Error).message}`);
      msg.nak(1000);
    } finally {
      clearInterval(beat);
    }
  }

  /** The partition solved by this agent's Wasm instance, when its turn comes; undefined if stopped meanwhile. */
  private async solve(input: Uint8Array): Promise<Uint8Array | undefined> {
    let release!: () => void;
    const previous = this.turn;
    this.turn = new Promise((r) => { release = r; });
    try {
      await previous;
      if (this.stopped) return undefined;
      const reply = await this.c.agent.handle(input, this.c.run);
      return this.stopped ? undefined : reply;
    } finally {
      release();
    }
  }

  private async finished(p: number): Promise<boolean> {
    const r = await this.c.objects.record(resultKey(p));
    return r?.body !== undefined && this.ofThisStart(r.body, p);
  }

  private ofThisStart(body: Uint8Array, p: number): boolean {
    try {
      const d = decodeDone(body);
      return d.run === this.c.run && d.epoch >= this.c.epoch && d.partition === p;
    } catch {
      return false;
    }
  }
}

function terminate(msg: JsMsg, note: () => void): void {
  note();
  msg.term();
}
