/** Something checked on a shared interval. */
export interface Periodic {
  tick(now: number): void;
}

/**
 * One timer per period for any number of members, instead of one per member:
 * an idle session's heartbeats cost a set entry, not a Timeout and a closure.
 * The timer is unref'd and stops when its last member leaves.
 */
class IntervalGroup {
  private readonly members = new Set<Periodic>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly periodMs: number,
    private readonly onEmpty: () => void,
  ) {}

  add(member: Periodic): void {
    this.members.add(member);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), this.periodMs);
      this.timer.unref();
    }
  }

  delete(member: Periodic): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.onEmpty();
  }

  private tick(): void {
    const now = Date.now();
    // A member may leave while it is ticked (a link that fails); Set iteration allows that.
    for (const member of this.members) {
      try {
        member.tick(now);
      } catch (err) {
        // One member's failure must not cost the others their heartbeats; it still surfaces as
        // the uncaught exception it would have been on a timer of its own.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

const groups = new Map<number, IntervalGroup>();

/** Calls `member.tick` every `periodMs` until {@link stopEvery}; the first call comes within one period. */
export function tickEvery(periodMs: number, member: Periodic): void {
  let group = groups.get(periodMs);
  if (group === undefined) {
    group = new IntervalGroup(periodMs, () => groups.delete(periodMs));
    groups.set(periodMs, group);
  }
  group.add(member);
}

export function stopEvery(periodMs: number, member: Periodic): void {
  groups.get(periodMs)?.delete(member);
}
