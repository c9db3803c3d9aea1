// The cluster layer's only entrance: the driver, the transports, the protocol.
export { runDistributed, runSurvey, requireLockstepForLowrank, type DistributedResult, type SurveyResult, type DriverConfig, type MemoryRunConfig, type Schedule } from './driver.ts';
export { STREAM_PARTITION_OBJECTS, type PartitionResult, type StreamProgress } from './stream.ts';
export { LocalTransport } from './local.ts';
export { Agent } from './agent.ts';
export { split } from './partition.ts';
export type { Transport, AgentLink } from './transport.ts';
export * as protocol from './protocol.ts';
export { NatsTransport, ACK_WAIT_MS, hostAgents, startAgentWorker, LEASE_MS, SUBJECTS, redact, type AgentHost, type NatsOptions, type NatsTransportOptions } from './nats/index.ts';
export { checkAgentCount, AGENTS_PER_CORE } from './limits.ts';
export type { DriverEvent, EventSink } from './events.ts';
export { type OpenShared, type SharedSource } from './shared-input.ts';
export type { SharedFile } from './protocol.ts';
