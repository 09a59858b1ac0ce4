/**
 * Gang members waiting at Permit (Coscheduling), across scheduling passes: which instances of
 * each gang are reserved but not bound, and the gang's timeout timer.
 *
 * Timeout (kube's PodGroup `scheduleTimeoutSeconds`): counts from when the gang's first
 * currently-waiting member started waiting. A member leaving the wait (bound, stopped, its node
 * lost) re-arms the timer from the earliest member still waiting. The timer runs on the
 * control plane's Clock (the engine's virtual clock in simulations), never on wall-clock time.
 */
import type { Clock } from './interfaces.js';
import type { Instance, Millis } from './types.js';

interface GangState {
  /** Waiting members, in the order they started waiting. */
  readonly waiting: Instance[];
  timeoutMs: Millis;
  deadline?: Millis;
  cancel?: () => void;
}

export class GangWaits {
  private readonly gangs = new Map<string, GangState>();

  /** `onTimeout(gang)` is called when a gang's members have waited `timeoutMs`. */
  constructor(
    private readonly clock: Clock,
    private readonly onTimeout: (gang: string) => void,
  ) {}

  private state(gang: string): GangState {
    let g = this.gangs.get(gang);
    if (!g) this.gangs.set(gang, (g = { waiting: [], timeoutMs: 0 }));
    return g;
  }

  /** The instance (its `waitingSince` set) starts waiting; returns the gang's deadline. */
  add(gang: string, inst: Instance, timeoutMs: Millis): Millis {
    const g = this.state(gang);
    if (g.waiting.length === 0) g.timeoutMs = timeoutMs;
    g.waiting.push(inst);
    this.arm(gang, g);
    return g.deadline!;
  }

  /** The instance stops waiting without its gang binding (stopped, its node lost). */
  remove(gang: string, inst: Instance): void {
    const g = this.gangs.get(gang);
    const k = g ? g.waiting.indexOf(inst) : -1;
    if (!g || k < 0) return;
    g.waiting.splice(k, 1);
    this.arm(gang, g);
  }

  /** Takes every waiting member of the gang out (to bind or release them); stops the timer. */
  take(gang: string): Instance[] {
    const g = this.gangs.get(gang);
    if (!g) return [];
    const out = g.waiting.splice(0);
    this.arm(gang, g);
    return out;
  }

  waiting(gang: string): readonly Instance[] {
    return this.gangs.get(gang)?.waiting ?? [];
  }

  /** Cancels every timer (the control plane shuts down). */
  shutdown(): void {
    for (const g of this.gangs.values()) {
      g.cancel?.();
      g.cancel = undefined;
    }
  }

  /** Sets the timer to the earliest waiting member's start + timeout (none when nobody waits). */
  private arm(gang: string, g: GangState): void {
    const first = g.waiting[0];
    const deadline = first ? first.waitingSince! + g.timeoutMs : undefined;
    if (deadline === g.deadline) return;
    g.cancel?.();
    g.cancel = undefined;
    g.deadline = deadline;
    if (deadline === undefined) return;
    g.cancel = this.clock.setTimer(Math.max(0, deadline - this.clock.now()), () => {
      g.cancel = undefined;
      g.deadline = undefined;
      this.onTimeout(gang);
    });
  }
}
