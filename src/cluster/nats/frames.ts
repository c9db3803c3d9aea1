// Checkpoint frames an agent thread reuses. A checkpoint copies a partition's state (tens
// of MB) into a frame at the barrier; a fresh frame is fresh memory, and its page faults
// cost more than the copy (2,000 objects: ≈ 40 ms against ≈ 5 ms into memory already
// touched). A frame comes back from the upload (main thread) and serves the next one.

export class FramePool {
  private readonly free: ArrayBuffer[] = [];

  /** At most `max` frames are kept: about one per partition a thread holds. */
  constructor(private readonly max = 4) {}

  /** A frame of at least `bytes` bytes: the smallest kept one that fits, else a new one. */
  take(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i].byteLength;
      if (b >= bytes && (best < 0 || b < this.free[best].byteLength)) best = i;
    }
    return best < 0 ? new ArrayBuffer(bytes) : this.free.splice(best, 1)[0];
  }

  /** Keeps a frame whose upload is over (the largest, if there are too many). */
  give(frame: ArrayBuffer): void {
    if (frame.byteLength === 0) return; // detached
    this.free.push(frame);
    if (this.free.length > this.max) {
      this.free.sort((a, b) => b.byteLength - a.byteLength);
      this.free.length = this.max;
    }
  }

  /** Lets every kept frame go (the run is released: an agent holds nothing between runs). */
  clear(): void {
    this.free.length = 0;
  }
}
