/**
 * A worker's own view of its lease on a job. The app extends the lease by leaseMs from when it
 * accepts a heartbeat, which is after the worker sent it; so until leaseMs after sending the
 * last accepted heartbeat, no other worker can have the job. The watch calls `onLapse` a margin
 * before that, whatever the network does (a cut connection included), so a worker that lost
 * contact stops, and uploads nothing, before another worker may start the job.
 *
 * Only durations measured on the worker's monotonic clock are compared: the app's and the
 * worker's clocks need not agree.
 */

/** How long before the lease could run out the watch fires. */
function leaseMargin(leaseMs: number): number {
  return Math.min(leaseMs / 4, 5_000);
}

/** How often heartbeats go out: several per lease, so one lost beat costs nothing. */
export function heartbeatInterval(leaseMs: number, preferredMs: number): number {
  return Math.min(preferredMs, leaseMs / 4);
}

export class LeaseWatch {
  #heldUntil = -Infinity;
  #timer?: ReturnType<typeof setTimeout>;
  #lapsed = false;

  constructor(private readonly leaseMs: number, private readonly onLapse: () => void) {}

  /** A heartbeat sent at `sentAt` (performance.now()) was accepted. */
  confirm(sentAt: number): void {
    if (this.#lapsed) return;
    const until = sentAt + this.leaseMs - leaseMargin(this.leaseMs);
    if (until <= this.#heldUntil) return;
    this.#heldUntil = until;
    this.#arm();
  }

  /** True while a heartbeat accepted recently enough vouches for the lease. */
  get held(): boolean {
    return !this.#lapsed && performance.now() < this.#heldUntil;
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.held) return this.#arm();
      this.#lapsed = true;
      this.onLapse();
    }, Math.max(0, this.#heldUntil - performance.now()));
  }
}
