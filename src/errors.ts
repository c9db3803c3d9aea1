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
  constructor(message: string) {
    super('E_CLUSTER', message);
  }
}
