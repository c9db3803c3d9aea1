// Worker-thread entry of a NATS agent: makes TypeScript importable in the worker, then
// starts the agent (with no --shared-input opener: `galdecon agent` has its own entry).
import { register } from 'tsx/esm/api';

register();
const { startAgentWorker } = await import('./agent-worker.ts');
await startAgentWorker();
