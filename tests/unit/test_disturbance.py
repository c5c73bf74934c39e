"""tests/benchmarks/disturbance.py: the record every benchmark prints, and its verdicts."""

import io
import subprocess
import sys

import pytest

from benchmarks.disturbance import DISTURBED, busy_seconds, watch

STAT = "cpu  {user} 0 {system} {idle} {iowait} 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"


def test_busy_seconds_leaves_out_idle_and_iowait():
    text = STAT.format(user=300, system=100, idle=5000, iowait=700)
    assert busy_seconds(text, ticks_per_second=100) == 4.0


def fake_watch(wall, busy, own, out):
    """A watch whose clock, machine counter and own CPU advance by the given amounts."""
    readings = {"clock": iter([0.0, wall]), "busy": iter([1000.0, 1000.0 + busy])}
    own_readings = iter([5.0, 5.0 + own])
    loads = iter([(0.5, 0, 0), (1.5, 0, 0)])
    return watch(
        out=out,
        clock=lambda: next(readings["clock"]),
        busy=lambda: next(readings["busy"]),
        own=lambda: next(own_readings),
        loadavg=lambda: next(loads),
    )


@pytest.mark.parametrize(
    "busy, own, disturbed",
    [
        (20.0, 20.0, False),  # all ours
        (22.5, 20.0, False),  # others 2.5 s in 10 s: exactly the limit, 0.25 cores
        (23.0, 20.0, True),  # others 0.3 cores
        (15.0, 20.0, False),  # counter granularity: never negative
    ],
)
def test_others_are_machine_busy_minus_own_and_void_the_verdict(busy, own, disturbed):
    out = io.StringIO()
    with fake_watch(10.0, busy, own, out) as machine:
        machine.verdict("ratio 1.2 (goal <= 1.5)", "met")
    record = machine.record
    assert record.others == pytest.approx(max(0.0, busy - own))
    assert record.disturbed is disturbed
    lines = out.getvalue().splitlines()
    assert "load average 0.50 -> 1.50" in lines[0]
    assert f"{record.others_cores:.2f} cores" in lines[0]
    expected = DISTURBED if disturbed else "met"
    assert lines[1:] == [f"ratio 1.2 (goal <= 1.5): {expected}"]


def test_without_verdicts_the_timings_themselves_are_judged():
    out = io.StringIO()
    with fake_watch(4.0, 3.0, 1.0, out):  # others 0.5 cores
        pass
    assert out.getvalue().splitlines()[1] == f"timings: {DISTURBED}"


def test_a_child_process_burning_cpu_counts_as_own_not_as_others():
    """The real readers: the CPU of a child it starts and waits for is ours."""
    burn = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass"
    out = io.StringIO()
    with watch(out=out) as machine:
        subprocess.run([sys.executable, "-c", burn], check=True)
    record = machine.record
    assert record.own >= 0.6  # RUSAGE_CHILDREN holds the child's CPU once it is waited for
    assert record.busy >= 0.5  # /proc/stat saw it too (tick granularity)
    assert record.others == pytest.approx(max(0.0, record.busy - record.own))


def test_every_benchmark_script_records_its_disturbance():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "benchmarks"
    scripts = sorted(folder.glob("bench_*.py")) + sorted(folder.glob("ablation_*.py"))
    assert scripts
    missing = [p.name for p in scripts if "from disturbance import watch" not in p.read_text()]
    assert not missing, f"benchmarks without the disturbance record: {missing}"
