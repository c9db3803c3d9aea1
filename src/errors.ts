/**
 * Typed errors. A `GaldeconError` is a user-facing problem (bad input, bad option,
 * unreadable file): the CLI prints its one-line message and exits non-zero, without a
 * stack trace. Anything else is a bug and is reported with its stack.
 */
export class GaldeconError extends Error {
  /** Stable machine-readable code, e.g. `E_INPUT`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The data given to the program is unusable (shape, values, format). */
export class InputError extends GaldeconError {
  constructor(message: string) {
    super('E_INPUT', message);
  }
}

/** A command-line option or API option is invalid. */
export class OptionError extends GaldeconError {
  constructor(message: string) {
    super('E_OPTION', message);
  }
}

/** A file cannot be read or written (missing, permissions, exists without --overwrite). */
export class FileError extends GaldeconError {
  constructor(message: string) {
    super('E_FILE', message);
  }
}

/** A distributed run failed (no agents, protocol violation, agent failure). */
export class ClusterError extends GaldeconError {
  constructor(message: string, code = 'E_CLUSTER') {
    super(code, message);
  }
}

/** The run's durable store (run record, checkpoints) cannot be written. */
export class StoreError extends ClusterError {
  constructor(message: string) {
    super(message, 'E_STORE');
  }
}

/** A message that breaks the driver–agent protocol (malformed, wrong version, wrong run). */
export class ProtocolError extends ClusterError {
  constructor(message: string) {
    super(message, 'E_PROTOCOL');
  }
}

/**
 * What an agent answers when it cannot serve a request. The driver acts on the code:
 * - E_STATE   the agent does not hold the partition at that point: rebuild it elsewhere
 * - E_BUSY    the agent serves another run: not yet, try another agent or wait
 * - E_NOCKPT  the checkpoint asked for is missing: replay from the start instead
 * - E_STORE   the object store is unreachable: retry, then degrade
 * - E_INPUT   a --shared-input file the agent may not read, or whose partition differs from the driver's
 * - E_PROTOCOL, E_UNSUPPORTED, E_AGENT, E_INPUT: the run cannot go on
 */
export type AgentCode = 'E_STATE' | 'E_BUSY' | 'E_NOCKPT' | 'E_STORE' | 'E_PROTOCOL' | 'E_UNSUPPORTED' | 'E_AGENT' | 'E_MEMORY' | 'E_INPUT';

export class AgentError extends ClusterError {
  declare readonly code: AgentCode;
  constructor(code: AgentCode, message: string) {
    super(message, code);
  }
}

/** The iteration produced non-finite values: the data or the step sizes are out of range. */
export class DivergedError extends GaldeconError {
  constructor(message: string) {
    super('E_DIVERGED', message);
  }
}
