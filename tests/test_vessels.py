import polars as pl

from shipwatch.vessels import vessel_info


def test_most_frequent_value_per_vessel_smallest_among_ties_nulls_ignored():
    df = pl.DataFrame(
        {
            "mmsi": [1, 1, 1, 1, 2, 2, 3],
            "vessel_name": ["B", "A", "B", None, "Z", "Y", None],
            "imo": [None, 7, 7, 8, 5, 5, None],
            "length_m": [90.0, 90.0, 100.0, 100.0, None, None, 12.0],
        }
    )
    v = vessel_info(df.sample(fraction=1.0, shuffle=True, seed=1))  # row order does not matter
    assert v["mmsi"].to_list() == [1, 2, 3]
    assert v["vessel_name"].to_list() == ["B", "Y", None]  # Y and Z tie: the smallest
    assert v["imo"].to_list() == [7, 5, None]
    assert v["length_m"].to_list() == [90.0, None, 12.0]  # 90 and 100 tie
    assert v["callsign"].null_count() == 3 and v["ship_type"].dtype == pl.Int16  # absent columns: typed nulls
