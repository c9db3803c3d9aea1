// NATS transport: the only way into this folder from the rest of the cluster layer.
export { NatsTransport, type NatsTransportOptions } from './driver.ts';
export { hostAgents, type AgentHost } from './host.ts';
export { LEASE_MS, SUBJECTS, redact, type NatsOptions } from './wire.ts';
export { ACK_WAIT_MS } from './queue.ts';
export { startAgentWorker } from './agent-worker.ts';
