"""Fuzzing the readers: hypothesis profiles, the per-case deadline and the one check every case must pass.

``make test`` runs the ``sample`` profile (a few cases per reader, seconds); ``make fuzz`` sets
``SHIPWATCH_FUZZ_EXAMPLES`` (10,000 by default there) and runs only the tests marked ``fuzz``.
See docs/fuzzing.md.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings

from shipwatch.errors import ShipwatchError
from shipwatch.ingest import load_positions

EXAMPLES = int(os.environ.get("SHIPWATCH_FUZZ_EXAMPLES", "30"))
#: Where to keep the running case's input (``make fuzz`` sets it): what killed the process, if it dies.
LAST_CASE = os.environ.get("SHIPWATCH_FUZZ_LAST_CASE", "")
#: Seconds a case may take: a fixed allowance plus this many per MB of input (never a hang).
SECONDS_BASE, SECONDS_PER_MB = 10, 20

settings.register_profile(
    "shipwatch",
    max_examples=EXAMPLES,
    # No hypothesis deadline: the bound is the alarm below (10 s + 20 s per MB), the same on a loaded
    # machine; the slowest case per test is reported (and kept, with SHIPWATCH_FUZZ_LAST_CASE).
    deadline=None,
    derandomize=EXAMPLES <= 100,  # the small sample in `make test` is the same every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.load_profile("shipwatch")

#: How long the slowest case took, and how the cases ended, per test (docs/fuzzing.md records the figures).
SLOWEST: dict[str, float] = {}
OUTCOMES: dict[str, Counter] = {}


class CaseTimeout(Exception):
    """A case ran past its deadline (a hang, or time per MB unbounded)."""


@contextmanager
def alarm(seconds: int):
    def fire(signum, frame):
        raise CaseTimeout(f"case ran longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check_file(data: bytes, name: str, *, mapping: str | None = None) -> str:
    """Write ``data`` as ``name`` and read it as ``shipwatch detect`` would.

    The case passes when the read ends in accepted rows plus counted rejects (``rows_read ==
    accepted + rejected + duplicate``) or in a one-line :class:`ShipwatchError`; any other exception,
    a multi-line or endless message, or a case past its deadline fails. Returns what happened
    ("rows" or the error class), for the figures.
    """
    seconds = SECONDS_BASE + int(SECONDS_PER_MB * len(data) / 1e6)
    with tempfile.TemporaryDirectory(prefix="shipwatch-fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        if LAST_CASE:  # the input of the case running now, kept for a crash no exception reports
            Path(LAST_CASE).write_bytes(data)
            Path(LAST_CASE + ".name").write_text(f"{name}\n{mapping or ''}\n")
        t0 = time.perf_counter()
        try:
            with alarm(seconds):
                _, acc = load_positions([path], mapping=mapping)
        except ShipwatchError as err:
            message = str(err)
            assert "\n" not in message, f"multi-line message: {message[:300]!r}"
            assert len(message) <= 2000, f"message of {len(message)} characters: {message[:300]!r}"
            outcome = type(err).__name__
        else:
            assert acc.rows_read == acc.rows_accepted + acc.rows_rejected + acc.rows_duplicate, dict(acc)
            outcome = "rows"
        finally:
            elapsed = time.perf_counter() - t0
            key = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
            if elapsed > SLOWEST.get(key, 0.0):
                SLOWEST[key] = elapsed
                if LAST_CASE:
                    slow = f"{LAST_CASE}.slowest-{key.rsplit('::', 1)[-1]}"
                    Path(slow).write_bytes(data)
                    Path(slow + ".name").write_text(f"{name}\n{mapping or ''}\n{elapsed:.3f} s\n")
    OUTCOMES.setdefault(key, Counter())[outcome] += 1
    return outcome


def pytest_terminal_summary(terminalreporter):
    # the tests import this file as ``fuzz.conftest`` and pytest loads it as a plugin: two modules
    slowest: dict[str, float] = {}
    outcomes: dict[str, Counter] = {}
    for mod in [m for name, m in list(sys.modules.items()) if name.endswith("conftest")]:
        for key, s in getattr(mod, "SLOWEST", {}).items():
            slowest[key] = max(slowest.get(key, 0.0), s)
        for key, c in getattr(mod, "OUTCOMES", {}).items():
            outcomes.setdefault(key, Counter()).update(c)
    if slowest:
        terminalreporter.write_line("fuzz cases per test: slowest (s), cases, how they ended")
        for key, s in sorted(slowest.items()):
            c = outcomes.get(key, Counter())
            ends = ", ".join(f"{k} {v:,}" for k, v in c.most_common())
            terminalreporter.write_line(f"  {s:7.3f}  {sum(c.values()):>7,}  {key}  [{ends}]")
