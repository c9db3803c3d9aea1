// What the driver needs from a transport: a set of agents to send requests to. The
// in-process transport (local.ts) runs agents in worker threads; a network transport
// (NATS) implements the same interface, so the driver does not change.

export interface AgentLink {
  /** Stable, human-readable name (for messages and logs). */
  readonly id: string;
  /** Sends an encoded request and resolves with the encoded reply. */
  request(bytes: Uint8Array, opts?: { timeoutMs?: number; transfer?: boolean }): Promise<Uint8Array>;
}

export interface Transport {
  /** The agents available to a run (starting them if the transport owns them). */
  agents(): Promise<AgentLink[]>;
  /** Stops what the transport started; safe to call twice. */
  close(): Promise<void>;
}
