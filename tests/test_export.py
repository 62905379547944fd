from datetime import UTC, datetime

import polars as pl

from shipwatch.export import write_csv


def test_formulas_are_neutralized_and_times_are_iso_utc(tmp_path):
    df = pl.DataFrame(
        {
            "vessel_name": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "NORMAL", None],
            "t": [datetime(2023, 10, 1, 2, 3, 4, tzinfo=UTC)] * 6,
            "x": [-1.23456789, 0.0, 1.0, 2.0, 3.0, 4.0],
        }
    )
    path = write_csv(df, tmp_path / "o.csv")
    back = pl.read_csv(path, infer_schema=False)
    assert back["vessel_name"].to_list()[:5] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "NORMAL",
    ]
    assert back["t"][0] == "2023-10-01T02:03:04Z"
    assert back["x"][0] == "-1.234568"  # numbers are not text: never prefixed


def test_same_input_same_bytes(tmp_path):
    df = pl.DataFrame({"a": [1.0 / 3, 2.0], "b": ["x", "y"]})
    assert write_csv(df, tmp_path / "1.csv").read_bytes() == write_csv(df, tmp_path / "2.csv").read_bytes()
