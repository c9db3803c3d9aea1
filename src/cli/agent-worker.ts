// The thread of one `galdecon agent` agent: the cluster's agent, given the opener of
// --shared-input files when the process was started with it.

import { workerData } from 'node:worker_threads';
import { startAgentWorker } from '../cluster/index.ts';
import { sharedOpener } from './shared-input.ts';

const roots = (workerData as { data?: { sharedInput?: string[] } }).data?.sharedInput ?? [];
await startAgentWorker({ openShared: roots.length > 0 ? sharedOpener(roots) : undefined });
