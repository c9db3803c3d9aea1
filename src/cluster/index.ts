export { runDistributed, type DistributedResult, type DriverConfig } from './driver.ts';
export { LocalTransport } from './local.ts';
export { Agent } from './agent.ts';
export { split } from './partition.ts';
export type { Transport, AgentLink } from './transport.ts';
export * as protocol from './protocol.ts';
export { NatsTransport, type NatsOptions, type NatsTransportOptions } from './nats.ts';
export type { DriverEvent, EventSink } from './events.ts';
