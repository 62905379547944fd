from __future__ import annotations

import csv
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from report_helpers import FORMULA, SCRIPT, run_cli, small_config, tree_digest

LABEL = "2023-08-01_2024-02-29"


def _html(folder: Path) -> str:
    return (folder / "reports" / "latest" / "report.html").read_text(encoding="utf-8")


def test_example_config_on_the_bundled_sample(sample_report):
    folder, done = sample_report
    assert done.returncode == 0, done.stderr
    out = folder / "reports" / LABEL
    assert (folder / "reports" / "latest").resolve() == out.resolve()
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"report.html", "transit_map.html", "dark_transits.geojson", "dark_transits.kml", "manifest.json",
            "run.json"} <= files
    assert len([f for f in files if f.endswith(".png")]) >= 2
    geo = json.loads((out / "dark_transits.geojson").read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert "<kml" in (out / "dark_transits.kml").read_text(encoding="utf-8")


def test_report_is_self_contained(sample_report):
    folder, _ = sample_report
    html = _html(folder)
    refs = re.findall(r"""(?:src|href|action|poster|data)\s*=\s*["']?([^"'\s>]+)""", html, flags=re.I)
    assert refs
    for ref in refs:
        assert ref.startswith("data:image/png;base64,") or ref == "transit_map.html" or ref.startswith("#"), ref
    assert "<script" not in html.lower() and "<link" not in html.lower() and "url(" not in html.lower()
    assert "@import" not in html and "//" not in re.sub(r"data:[^\"']+", "", html).replace("http://www.w3.org", "")
    assert html.count('src="data:image/png;base64,') >= 3  # chart, map, transit thumbnails


def test_report_contents(sample_report):
    folder, _ = sample_report
    html = _html(folder)
    for anchor in ("headline", "monthly-table", "published-table", "transit-map", "transits", "sightings-table",
                   "accounting", "coverage-table", "parameters", "versions", "inputs"):
        assert f'id="{anchor}"' in html, anchor
    assert "The published counts contradict each other." in html
    assert "Bloomberg reports 1 (Angara unloading at Najin on 9 Dec 2023)" in html
    assert "a part cannot hold more than the whole" in html
    assert "why: " in html and "unidentified" in html and "ambiguous" in html
    assert "created_at" not in html and re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", html) is None
    assert "(only)" not in html and " only)" not in html  # whole months only


def test_rerun_is_quick_and_changes_nothing(sample_report):
    folder, _ = sample_report
    before = tree_digest(folder / "reports" / LABEL)
    t0 = time.perf_counter()
    done = run_cli("report", "--config", str(folder / "examples" / "report.toml"))
    assert done.returncode == 0
    assert "unchanged" in done.stderr
    assert time.perf_counter() - t0 < 15
    assert tree_digest(folder / "reports" / LABEL) == before


def test_a_clean_run_elsewhere_gives_identical_files(sample_report, tmp_path):
    folder, _ = sample_report
    (tmp_path / "examples").mkdir()
    shutil.copy(folder / "examples" / "report.toml", tmp_path / "examples" / "report.toml")
    assert run_cli("report", "--config", str(tmp_path / "examples" / "report.toml"), "--quiet").returncode == 0
    a = tree_digest(folder / "reports" / LABEL, skip=("manifest.json",))
    b = tree_digest(tmp_path / "reports" / LABEL, skip=("manifest.json",))
    assert a == b


def test_hostile_vessel_names_are_inert(small_report):
    out = small_report / "reports" / "latest"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT not in html and "<script" not in html.lower()
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in html or "=HYPERLINK(&quot;http://x&quot;" in html
    for name in ("dark_transits.csv", "sightings.csv"):
        for row in csv.DictReader((out / name).open(encoding="utf-8")):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@")), (name, value)
    with (out / "dark_transits.csv").open(encoding="utf-8") as fh:
        names = {r["vessel_name"] for r in csv.DictReader(fh)}
    assert "'" + FORMULA in names and SCRIPT in names
    kml = (out / "dark_transits.kml").read_text(encoding="utf-8")
    assert "<script>" not in kml and "&lt;script&gt;" in kml
    for f in ("transit_map.html",):
        assert "<script>alert" not in (out / f).read_text(encoding="utf-8")


def test_partial_months_are_labelled_and_missing_days_warn(hostile_inputs, tmp_path):
    # inputs end on 31 Oct; the period runs to 2 Nov: two days without data -> exit 1
    cfg = small_config(tmp_path, hostile_inputs, start="2023-10-25", end="2023-11-02")
    done = run_cli("report", "--config", str(cfg))
    assert done.returncode == 1, done.stderr
    assert "2 day(s) of the period have no AIS data: 1–2 Nov 2023" in done.stderr
    html = (tmp_path / "reports" / "2023-10-25_2023-11-02" / "report.html").read_text(encoding="utf-8")
    assert "2023-10 (25–31 only)" in html and "2023-11 (1–2 only)" in html
    assert "<td>2023-10</td>" not in html and "<td>2023-11</td>" not in html
    assert "the report covers only part of" in html
    # --quiet: warnings still said, nothing else
    again = run_cli("report", "--config", str(cfg), "--quiet")
    assert again.returncode == 1
    assert all(line.startswith("shipwatch report: warning:") for line in again.stderr.strip().splitlines())


def test_store_pattern_ingests_then_reports_and_reruns_add_nothing(hostile_inputs, tmp_path):
    cfg = small_config(tmp_path, hostile_inputs, extra="")
    text = cfg.read_text(encoding="utf-8").replace("[period]", 'store = "store"\n[period]')
    cfg.write_text(text, encoding="utf-8")
    first = run_cli("report", "--config", str(cfg))
    assert first.returncode == 0, first.stderr
    assert "new file(s)" in first.stderr and (tmp_path / "store" / "manifest.json").is_file()
    before = tree_digest(tmp_path / "reports" / "latest")
    second = run_cli("report", "--config", str(cfg))
    assert second.returncode == 0
    assert "0 new file(s)" in second.stderr and "unchanged" in second.stderr
    assert tree_digest(tmp_path / "reports" / "latest") == before
    html = (tmp_path / "reports" / "latest" / "report.html").read_text(encoding="utf-8")
    assert "Counts of every file in the store" in html


def test_quiet_success_prints_nothing(small_report):
    done = run_cli("report", "--config", str(small_report / "report.toml"), "--quiet")
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


@pytest.mark.parametrize("bad", ["../outside", "a/b"])
def test_names_outside_the_output_folder_are_refused(small_report, tmp_path, bad):
    text = (small_report / "report.toml").read_text(encoding="utf-8") + f'latest = "{bad}"\n'
    cfg = tmp_path / "r.toml"
    cfg.write_text(text.replace('dir = "reports"', f'dir = "{(small_report / "reports").as_posix()}"'), encoding="utf-8")
    done = run_cli("report", "--config", str(cfg))
    assert done.returncode == 2 and "output.latest" in done.stderr


def test_previous_calendar_month_as_of(hostile_inputs, tmp_path):
    cfg = small_config(tmp_path, hostile_inputs)
    text = cfg.read_text(encoding="utf-8")
    text = re.sub(r"start = .*\nend = .*\n", 'relative = "previous calendar month"\n', text)
    cfg.write_text(text, encoding="utf-8")
    done = run_cli("report", "--config", str(cfg), "--as-of", "2023-11-05")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "reports" / "2023-10"
    assert (tmp_path / "reports" / "latest").resolve() == out.resolve()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "October 2023" in html and "<td>2023-10</td>" in html and "(1–31 only)" not in html
    assert "compared with September 2023" in html
