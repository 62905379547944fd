"""The analyst notebooks run (as scripts) on the bundled sample."""

import runpy
import sys

from conftest import ROOT


def test_sample_walkthrough_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["notebook", str(tmp_path)])
    runpy.run_path(str(ROOT / "notebooks" / "01_sample_walkthrough.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "transit_id" in out and (tmp_path / "dark_transits.csv").exists()
