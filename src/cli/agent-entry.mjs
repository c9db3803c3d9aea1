// Worker-thread entry of a `galdecon agent` agent: makes TypeScript importable in the
// worker, then starts the agent (agent-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./agent-worker.ts');
