"""`shipwatch map` and `shipwatch export` as commands: outputs, and one-line errors with exit code 2."""

from __future__ import annotations

from shipwatch.cli import main


def test_map_writes_png_html_and_chart(run_dir, capsys):
    assert main(["map", str(run_dir)]) == 0
    for name in ("transit_map.png", "transit_map.html", "monthly_chart.png"):
        assert (run_dir / name).stat().st_size > 10_000, name
    assert "transit_map.png" in capsys.readouterr().out


def test_map_one_transit_to_a_chosen_file(run_dir, det, tmp_path):
    tid = det.dark_transits["transit_id"][0]
    out = tmp_path / "one.png"
    assert (
        main(["map", str(run_dir), "--transit", tid, "--out", str(out), "--bbox", "130,41.8,133.5,43.3"]) == 0
    )
    assert out.exists() and out.with_suffix(".html").exists()


def test_map_errors(run_dir, tmp_path, capsys):
    assert main(["map", str(run_dir), "--transit", "DT-nope"]) == 2
    assert main(["map", str(run_dir), "--bbox", "1,2"]) == 2
    assert main(["map", str(tmp_path)]) == 2
    assert main(["map", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(line.startswith("shipwatch map: error: ") for line in err)


def test_export_command(run_dir, tmp_path, capsys):
    assert main(["export", str(run_dir), "--format", "kml", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "dark_transits.kml").exists()
    assert main(["export", str(tmp_path), "--format", "geojson"]) == 2
    assert "export: error:" in capsys.readouterr().err
