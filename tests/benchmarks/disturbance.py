"""Was a benchmark disturbed? CPU that other processes used while it ran.

    from disturbance import watch

    with watch() as machine:
        ...  # run and print the timings
        machine.verdict("ratio 1.2 (goal <= 1.5)", "met")  # printed at the end

On leaving the block it prints the record (wall time, the load average at start and end,
the CPU seconds of this process and its waited-for children, and what the rest of the
machine used: busy seconds from /proc/stat minus our own), then each verdict, or
"disturbed: not a valid timing" in its place when the others used more than LIMIT cores on
average. The machine-wide lock (the Makefile's bench targets, ../shared/tools/quiet) keeps
other benchmarks away; this says whether anything else came by.
"""

import os
import resource
import sys
import time
from dataclasses import dataclass, field

LIMIT = 0.25  # cores the other processes may use on average before a timing is void
DISTURBED = "disturbed: not a valid timing"


def busy_seconds(stat_text, ticks_per_second):
    """CPU seconds the machine has been busy (all cores), from /proc/stat's text: user, nice,
    system, irq, softirq and steal of its first ("cpu") line; idle and iowait left out."""
    fields = [int(v) for v in stat_text.splitlines()[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / ticks_per_second


def read_busy_seconds():
    with open("/proc/stat") as handle:
        return busy_seconds(handle.read(), os.sysconf("SC_CLK_TCK"))


def own_cpu_seconds():
    """User + system seconds of this process and of its children it has waited for."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


@dataclass
class Record:
    """What the machine did between two readings."""

    wall: float
    own: float  # CPU seconds of this process tree
    busy: float  # CPU seconds of the whole machine
    load_start: float  # 1-minute load average
    load_end: float
    verdicts: list = field(default_factory=list)

    @property
    def others(self):
        """CPU seconds of every other process."""
        return max(0.0, self.busy - self.own)

    @property
    def others_cores(self):
        return self.others / max(self.wall, 1e-9)

    @property
    def disturbed(self):
        return self.others_cores > LIMIT

    def summary(self):
        return (
            f"machine: {self.wall:.1f} s wall, own CPU {self.own:.1f} s, load average "
            f"{self.load_start:.2f} -> {self.load_end:.2f}, other processes {self.others:.1f} "
            f"CPU s = {self.others_cores:.2f} cores on average (limit {LIMIT})"
        )

    def lines(self):
        """The record, then each verdict (or DISTURBED in its place)."""
        lines = [self.summary()]
        for what, verdict in self.verdicts or [("timings", "valid")]:
            lines.append(f"{what}: {DISTURBED if self.disturbed else verdict}")
        return lines


class watch:
    """Context manager: readings at entry and exit; prints the record to ``out`` at exit.
    The readers are arguments so that tests can feed it fake clocks and counters."""

    def __init__(
        self,
        out=None,
        clock=time.monotonic,
        busy=read_busy_seconds,
        own=own_cpu_seconds,
        loadavg=os.getloadavg,
    ):
        self.out, self.clock, self.busy, self.own, self.loadavg = out, clock, busy, own, loadavg
        self.verdicts = []
        self.record = None

    def verdict(self, what, verdict):
        """A verdict on the timings, printed after the record (or replaced, if disturbed)."""
        self.verdicts.append((what, verdict))

    def __enter__(self):
        self.start = (self.clock(), self.busy(), self.own(), self.loadavg()[0])
        return self

    def __exit__(self, *exc):
        t0, busy0, own0, load0 = self.start
        self.record = Record(
            wall=self.clock() - t0,
            own=self.own() - own0,
            busy=self.busy() - busy0,
            load_start=load0,
            load_end=self.loadavg()[0],
            verdicts=self.verdicts,
        )
        print("\n".join(self.record.lines()), file=self.out or sys.stdout, flush=True)
        return False
