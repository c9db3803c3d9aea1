// Worker-thread entry: makes TypeScript importable in the worker (whatever loader the
// parent used), then starts the agent.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
