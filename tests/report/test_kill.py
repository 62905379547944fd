"""SIGKILL at random moments: the previous report stays whole, ``latest`` points to a complete report, and the
next run completes and matches a clean one."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from report_helpers import cli, env, run_cli, tree_digest

from shipwatch.report.build import MANIFEST, REPORT


def _complete(folder: Path) -> bool:
    return (folder / REPORT).is_file() and (folder / MANIFEST).is_file() and (folder / "run.json").is_file()


def _kill_runs(small_report: Path, tmp_path: Path, times: int, seed: int) -> None:
    rng = random.Random(seed)
    work = tmp_path / "work"
    shutil.copytree(small_report, work, symlinks=True)
    base = (work / "report.toml").read_text(encoding="utf-8")
    label = "2023-10-08_2023-10-21"
    reports = work / "reports"
    old = tree_digest(reports / label)
    # a changed parameter: the run must render a new report (not find it up to date)
    changed = base + "[parameters.gaps]\nmin_hours = 8\n"
    (work / "report.toml").write_text(changed, encoding="utf-8")
    t0 = time.perf_counter()
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "report.toml").write_text(changed, encoding="utf-8")
    assert run_cli("report", "--config", str(clean / "report.toml"), "--quiet").returncode == 0
    duration = time.perf_counter() - t0
    finished = 0
    for _ in range(times):
        proc = subprocess.Popen(cli("report", "--config", str(work / "report.toml"), "--quiet"), env=env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        current = tree_digest(reports / label)
        if current != old:  # the run finished before the kill: the new report, whole
            assert _complete(reports / label)
            finished += 1
            old = current
            # put the old parameters back so that the next run has to render again
            base, changed = changed, base
            (work / "report.toml").write_text(changed, encoding="utf-8")
        assert _complete((reports / "latest").resolve())
        assert not any(p.name.startswith(".link-") and not p.is_symlink() for p in reports.iterdir())
    (work / "report.toml").write_text((clean / "report.toml").read_text(encoding="utf-8"), encoding="utf-8")
    done = run_cli("report", "--config", str(work / "report.toml"))
    assert done.returncode == 0, done.stderr
    assert tree_digest(reports / label, skip=(MANIFEST,)) == tree_digest(clean / "reports" / label, skip=(MANIFEST,))
    leftovers = [p.name for p in reports.iterdir() if p.name.startswith((".tmp-", ".link-"))]
    assert leftovers == []
    versions = [p.name for p in reports.iterdir() if p.name.startswith(".v-")]
    assert len(versions) == 1  # only the one the period's link points to


def test_sigkill_three_times(small_report, tmp_path):
    _kill_runs(small_report, tmp_path, 3, seed=11)


@pytest.mark.slow
def test_sigkill_fifty_times(small_report, tmp_path):
    _kill_runs(small_report, tmp_path, 50, seed=2023)
