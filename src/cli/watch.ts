// Follows a run for the live view and the HTML report: turns the driver's events into
// the RunView that page/app.js renders (report/view.ts), and renders the mosaic of the
// sampled objects. Only built when --serve or --html asks for it.

import type { DriverEvent } from '../cluster/index.ts';
import { Kernels } from '../kernels/index.ts';
import { mosaicPng, type Stretch } from '../report/mosaic.ts';
import { MAX_VIEW_EVENTS, type AgentView, type RunView, type ViewEvent } from '../report/view.ts';
import { mosaicRows, type RunStacks } from './pictures.ts';

export interface WatchOptions {
  title: string;
  options: Record<string, unknown>;
  inputs: Record<string, string>;
  software: Record<string, string>;
  totalIterations: number;
  stacks: RunStacks;
  /** Objects of the mosaic. */
  objects: number[];
  stretch: Stretch;
  /** Called after each change; `mosaic` when the picture changed. */
  onChange?: (view: RunView, mosaic: boolean) => void;
}

export class RunWatch {
  readonly view: RunView;
  private readonly t0 = performance.now();
  private kernels: Kernels | undefined;
  private agentOf = new Map<string, AgentView>();
  /** A sample waiting to be drawn. */
  private pending: { iteration: number; objects: number[]; x: Float32Array } | undefined;
  /** Counts the mosaic's renderings (clients fetch a new picture only when it changes). */
  mosaicVersion = 0;

  constructor(private readonly o: WatchOptions) {
    this.view = {
      title: o.title, status: 'starting', started: new Date().toISOString(), elapsedS: 0,
      options: o.options, totalIterations: o.totalIterations, iteration: 0, phase: 0,
      cost: { iteration: [], timeS: [], value: [] }, tests: [], reweights: [], agents: [], partitions: [],
      events: [], inputs: o.inputs, software: o.software,
    };
  }

  private now(): number {
    return (performance.now() - this.t0) / 1000;
  }

  private note(kind: ViewEvent['kind'], text: string): void {
    const ev = this.view.events;
    ev.push({ t: this.now(), kind, text });
    if (ev.length > MAX_VIEW_EVENTS) ev.splice(0, ev.length - MAX_VIEW_EVENTS);
  }

  private agent(id: string, replacement = false): AgentView {
    let a = this.agentOf.get(id);
    if (!a) {
      a = { id, state: 'idle', replacement, partitions: 0, objects: 0 };
      this.agentOf.set(id, a);
      this.view.agents.push(a);
    }
    return a;
  }

  /** Partitions and objects per agent, and the states that follow from them. */
  private recount(): void {
    for (const a of this.view.agents) {
      a.partitions = 0;
      a.objects = 0;
    }
    for (const p of this.view.partitions) {
      const a = this.agent(p.agent);
      a.partitions++;
      a.objects += p.n;
    }
    for (const a of this.view.agents) {
      if (a.state === 'lost' || a.state === 'replaced') {
        if (a.state === 'lost' && !this.view.partitions.some((p) => p.agent === a.id || p.state === 'building')) a.state = 'replaced';
      } else a.state = a.partitions > 0 ? 'working' : 'idle';
    }
  }

  readonly onEvent = (e: DriverEvent): void => {
    const v = this.view;
    v.elapsedS = this.now();
    switch (e.type) {
      case 'start':
        v.status = 'running';
        v.run = e.run;
        v.shape = e.shape;
        v.sigma = e.sigma;
        v.setupS = e.setupS;
        v.partitions = e.partitions.map((r, p) => ({ ...r, agent: v.partitions[p]?.agent ?? e.agents[p % e.agents.length], state: 'working' }));
        for (const id of e.agents) this.agent(id);
        this.recount();
        this.note('info', `run ${e.run}${e.resumed ? ' resumed' : ' started'}: ${e.shape[0]} objects of ${e.shape[1]}×${e.shape[2]} in ${e.partitions.length} partitions on ${e.agents.length} agents (setup ${e.setupS.toFixed(2)} s)`);
        break;
      case 'placed': {
        const p = v.partitions[e.partition];
        if (p) {
          if (p.agent !== e.agent) this.note('moved', `partition ${e.partition} moved from ${p.agent} to ${e.agent}`);
          p.agent = e.agent;
          p.state = 'building';
        } else v.partitions[e.partition] = { first: 0, n: 0, agent: e.agent, state: 'building' };
        this.agent(e.agent);
        this.recount();
        break;
      }
      case 'built': {
        const p = v.partitions[e.partition];
        if (p) p.state = 'working';
        this.recount();
        break;
      }
      case 'replied': {
        const a = this.agent(e.agent);
        a.lastReply = Date.now();
        if (e.request === 'step' && e.ms > 0) {
          const objects = e.partitions.reduce((s, p) => s + (v.partitions[p]?.n ?? 0), 0);
          a.rate = (objects * e.iterations) / (e.ms / 1000);
        }
        break;
      }
      case 'agent-lost':
        this.agent(e.agent).state = 'lost';
        this.note('lost', `agent ${e.agent} lost; moving partition${e.partitions.length === 1 ? '' : 's'} ${e.partitions.join(', ')}`);
        break;
      case 'agent-joined':
        this.agent(e.agent, true);
        this.note('info', `agent ${e.agent} joined to replace a lost one`);
        break;
      case 'progress': {
        const p = e.progress;
        v.iteration = p.iteration;
        v.phase = p.phase;
        for (const c of p.costs ?? []) {
          v.cost.iteration.push(c.iteration);
          v.cost.timeS.push(c.timeS);
          v.cost.value.push(c.cost);
        }
        for (const t of p.tests ?? []) {
          v.tests.push(t);
          if (t.converged) this.note('test', `converged at iteration ${t.iteration} (relative change ${t.diff.toExponential(2)})`);
        }
        const objects = v.shape?.[0] ?? 0;
        if (p.iteration > 0 && p.elapsedS > 0) {
          v.throughput = (objects * p.iteration) / p.elapsedS;
          v.etaS = (p.elapsedS / p.iteration) * p.remaining;
        }
        break;
      }
      case 'reweight': {
        const t = v.cost.timeS.at(-1) ?? 0;
        v.reweights.push({ iteration: e.iteration, timeS: t });
        this.note('reweight', `reweighted after iteration ${e.iteration}`);
        break;
      }
      case 'checkpoint':
        this.note('checkpoint', `checkpoint at iteration ${e.iteration}`);
        break;
      case 'sample':
        for (const [id, bytes] of Object.entries(e.memory)) this.agent(id).memory = bytes;
        // Drawn once the driver has sent the next step, so that it overlaps the agents'
        // work instead of holding them up.
        if (e.objects.length > 0) {
          if (!this.pending) {
            setImmediate(() => {
              const s = this.pending!;
              this.pending = undefined;
              if (this.view.status === 'finished') return;
              this.setMosaic(s.iteration, s.objects, s.x, 1);
              this.o.onChange?.(this.view, true);
            });
          }
          this.pending = e;
        }
        break;
      case 'done':
        v.status = 'collecting';
        v.etaS = 0;
        this.note('done', `${e.iterations} iterations, ${e.converged ? 'converged' : 'not converged'}; collecting the result`);
        break;
    }
    this.o.onChange?.(v, false);
  };

  /** Renders the mosaic of `objects` with estimates `x` (object-major, in that order). */
  setMosaic(iteration: number, objects: number[], x: Float32Array, level = 9): void {
    this.kernels ??= new Kernels();
    const rows = mosaicRows(this.o.stacks, objects, x, this.kernels);
    const [, ny, nx] = this.view.shape ?? [0, this.o.stacks.y.shape.at(-2)!, this.o.stacks.y.shape.at(-1)!];
    const png = mosaicPng(rows, ny, nx, { stretch: this.o.stretch, title: `${this.o.title}: iteration ${iteration}`, level });
    this.view.mosaic = { iteration, objects, png: `data:image/png;base64,${Buffer.from(png).toString('base64')}` };
    this.mosaicVersion++;
  }

  /** Agents' last heartbeats, from transports whose agents beat. */
  heartbeats(beats: ReadonlyMap<string, number>): void {
    for (const a of this.view.agents) {
      const t = beats.get(a.id);
      if (t !== undefined) a.heartbeat = t;
    }
    this.view.elapsedS = this.now();
    this.o.onChange?.(this.view, false);
  }

  finish(fields: Partial<RunView>): void {
    Object.assign(this.view, fields, { status: 'finished', elapsedS: this.now(), etaS: 0 });
    for (const a of this.view.agents) if (a.state === 'working') a.state = 'idle';
    this.note('done', `finished in ${this.view.elapsedS.toFixed(2)} s`);
    this.o.onChange?.(this.view, true);
  }

  fail(message: string): void {
    Object.assign(this.view, { status: 'failed', error: message, elapsedS: this.now() });
    this.note('error', message);
    this.o.onChange?.(this.view, false);
  }
}
