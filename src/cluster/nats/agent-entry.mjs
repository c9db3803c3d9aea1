// Worker-thread entry of a NATS agent: makes TypeScript importable in the worker, then
// starts the agent.
import { register } from 'tsx/esm/api';

register();
await import('./agent-worker.ts');
