#!/usr/bin/env python3
"""The hold model in SimPy, for comparison with `npm run bench -- engine`.

P processes, each repeatedly holding an exponential(1) time, until E hold events in total.
Usage: simpy_hold.py P E [RUNS]   (prints the median of RUNS timed runs, after a short warm-up)

Uses the SimPy 2 API (`from SimPy.Simulation import ...`, Debian's python3-simpy) when present,
otherwise SimPy 3+/4 (`import simpy`). Prints one line:
    simpy hold api=<2|3> version=<v> procs=P events=E wall_s=<s> events_per_s=<n>
"""
import random
import statistics
import sys
import time


def _detect():
    try:
        import SimPy  # noqa: F401  (SimPy 2.x)
        from SimPy import Simulation  # noqa: F401
        return "2", getattr(SimPy, "__version__", "2")
    except ImportError:
        pass
    import simpy  # SimPy 3+ / 4

    return "3", getattr(simpy, "__version__", "3+")


API, VERSION = _detect()


def run_simpy2(procs, events, seed):
    from SimPy.Simulation import Process, activate, hold, initialize, simulate, stopSimulation

    rng = random.Random(seed)
    expo = rng.expovariate
    state = {"n": 0}

    class Holder(Process):
        def run(self):
            st = state
            while True:
                yield hold, self, expo(1.0)
                st["n"] += 1
                if st["n"] >= events:
                    stopSimulation()

    initialize()
    for i in range(procs):
        p = Holder(name="p%d" % i)
        activate(p, p.run())
    t0 = time.perf_counter()
    simulate(until=float("inf"))
    wall = time.perf_counter() - t0
    return state["n"], wall


def run_simpy3(procs, events, seed):
    import simpy

    rng = random.Random(seed)
    expo = rng.expovariate
    env = simpy.Environment()
    done = env.event()
    state = {"n": 0}

    def holder(env):
        st = state
        timeout = env.timeout
        while True:
            yield timeout(expo(1.0))
            st["n"] += 1
            if st["n"] == events:
                done.succeed()

    for _ in range(procs):
        env.process(holder(env))
    t0 = time.perf_counter()
    env.run(until=done)
    wall = time.perf_counter() - t0
    return state["n"], wall


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: simpy_hold.py PROCS EVENTS [RUNS]\n")
        return 2
    procs = int(sys.argv[1])
    events = int(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    run = run_simpy2 if API == "2" else run_simpy3
    run(procs, min(events, 100000), 1)  # warm-up
    walls = []
    for i in range(runs):
        n, wall = run(procs, events, 1 + i)
        if n != events:
            sys.stderr.write("expected %d events, counted %d\n" % (events, n))
            return 1
        walls.append(wall)
    wall = statistics.median(walls)
    print(
        "simpy hold api=%s version=%s procs=%d events=%d wall_s=%.3f events_per_s=%d"
        % (API, VERSION, procs, events, wall, round(events / wall))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
