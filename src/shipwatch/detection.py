"""The result of a detection run, and its conversions to what analysts use: pandas, GeoPandas, MovingPandas.

:class:`Detection` holds polars tables (:mod:`shipwatch.tables` gives their columns). Its conversions:

- :meth:`Detection.to_pandas`: the same tables as pandas DataFrames, times tz-aware UTC;
- :meth:`Detection.to_geopandas`: GeoDataFrames in EPSG:4326, one per table (see the method);
- :meth:`Detection.to_movingpandas`: a ``movingpandas.TrajectoryCollection`` (extra ``shipwatch[movingpandas]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import shapely

from shipwatch import schema as s
from shipwatch.errors import ShipwatchError
from shipwatch.ports import Port
from shipwatch.settings import Settings
from shipwatch.tables import (
    GAP_ID,
    IDENTITY,
    PORT,
    SHARED,
    VESSEL_KEYS,
    VESSELS,
    empty,
)
from shipwatch.times import US_PER_HOUR

if TYPE_CHECKING:
    import geopandas
    import pandas

CRS = "EPSG:4326"
#: The tables of a run, in the order they are written.
TABLES = ("port_visits", "gaps", "dark_transits", "sightings", "monthly_summary")
PIECE = "piece"  # number of a track piece within one vessel identity (split at gaps)


@dataclass
class Detection:
    """Everything a detection run produces.

    Attributes
    ----------
    tracks
        Cleaned, labelled positions (:data:`shipwatch.tables.TRACKS` columns at least); a LazyFrame over
        the run folder's ``tracks.parquet`` when the run went bucket by bucket (:mod:`shipwatch.engine`).
    port_visits, gaps, dark_transits, sightings, monthly_summary
        The result tables (:mod:`shipwatch.tables`).
    ports
        The port registry the run used.
    settings
        The parameters the run used.
    vessels
        One row per MMSI: name, IMO, callsign, ship type, length (:data:`shipwatch.tables.VESSELS`).
    stats, timings
        Counts (positions, vessels, cleaning, …) and seconds per stage.
    """

    _tracks: pl.DataFrame | pl.LazyFrame
    port_visits: pl.DataFrame
    gaps: pl.DataFrame
    dark_transits: pl.DataFrame
    sightings: pl.DataFrame
    monthly_summary: pl.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    ports: list[Port] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    vessels: pl.DataFrame = field(default_factory=lambda: empty(VESSELS))

    @property
    def tracks(self) -> pl.DataFrame:
        """The cleaned, labelled positions (read from the run folder on first use after a bucketed run)."""
        if isinstance(self._tracks, pl.LazyFrame):
            self._tracks = self._tracks.collect()
        return self._tracks

    @tracks.setter
    def tracks(self, value: pl.DataFrame | pl.LazyFrame) -> None:
        self._tracks = value

    @property
    def tracks_lazy(self) -> pl.LazyFrame:
        """The tracks as a LazyFrame, without reading them all (for writers and big runs)."""
        return self._tracks.lazy()

    def __repr__(self) -> str:
        n = self._tracks.height if isinstance(self._tracks, pl.DataFrame) else "lazy"
        counts = ", ".join([f"tracks={n}", *(f"{name}={getattr(self, name).height}" for name in (*TABLES, "vessels"))])
        return f"Detection({counts})"

    # --- pandas ---------------------------------------------------------------------------------------
    def to_pandas(self) -> dict[str, pandas.DataFrame]:
        """The tables (``tracks`` first) as pandas DataFrames, keyed by name; times tz-aware UTC."""
        return {name: getattr(self, name).to_pandas() for name in ("tracks", *TABLES, "vessels")}

    # --- GeoPandas ------------------------------------------------------------------------------------
    def to_geopandas(self) -> dict[str, geopandas.GeoDataFrame]:
        """GeoDataFrames in EPSG:4326, one per table, keyed by name.

        - ``positions`` and ``sightings``: points;
        - ``tracks``: one LineString per vessel identity and track piece: split at every silence longer
          than ``gaps.min_hours`` (every gap) and between the ships behind a shared MMSI, never drawn across them
          (pieces of a single fix are left out: they are in ``positions``);
        - ``gaps``: lines from the last fix to the next (an open gap, with no next fix yet, has no
          geometry);
        - ``dark_transits``: lines from the last fix, through the call port, to the next fix;
        - ``port_visits`` and ``ports``: the port polygons.

        Times stay tz-aware UTC.
        """
        import geopandas as gpd

        polygons = {p.name: p.geometry for p in self.ports}

        def frame(df: pl.DataFrame, geometry: Any) -> gpd.GeoDataFrame:
            return gpd.GeoDataFrame(df.to_pandas(), geometry=geometry, crs=CRS)

        names = self.vessels.select(s.MMSI, s.VESSEL_NAME)
        t = self.tracks.join(names, on=s.MMSI, how="left") if s.VESSEL_NAME not in self.tracks.columns else self.tracks
        out = {
            "positions": frame(t, gpd.points_from_xy(t[s.LON].to_numpy(), t[s.LAT].to_numpy())),
        }
        lines, pieces = track_lines(t, min_gap_hours=self.settings.gaps.min_hours)
        out["tracks"] = frame(pieces, lines)
        g = self.gaps
        out["gaps"] = frame(g, _segments(g, ("start_lon", "start_lat"), ("end_lon", "end_lat")))
        out["dark_transits"] = frame(
            self.dark_transits, transit_lines(self.dark_transits, self.gaps, self.ports)
        )
        v = self.port_visits
        out["port_visits"] = frame(v, [polygons.get(name) for name in v[PORT].to_list()])
        out["ports"] = ports_frame(self.ports)
        sg = self.sightings
        out["sightings"] = frame(sg, gpd.points_from_xy(sg["lon"].to_numpy(), sg["lat"].to_numpy()))
        return out

    # --- MovingPandas ---------------------------------------------------------------------------------
    def to_movingpandas(self) -> Any:
        """The track pieces of :meth:`to_geopandas` as a ``movingpandas.TrajectoryCollection``.

        One trajectory per vessel identity and piece, id ``<mmsi>-<identity>-<piece>``. Needs the extra:
        ``pip install 'shipwatch[movingpandas]'``.
        """
        try:
            import geopandas as gpd
            import movingpandas as mpd
        except ImportError as err:
            raise ShipwatchError(
                "to_movingpandas needs movingpandas: pip install 'shipwatch[movingpandas]'"
            ) from err
        t = with_pieces(self.tracks, min_gap_hours=self.settings.gaps.min_hours)
        t = t.filter(pl.len().over(*VESSEL_KEYS, PIECE) >= 2).with_columns(
            pl.format("{}-{}-{}", s.MMSI, IDENTITY, PIECE).alias("traj_id")
        )
        df = t.select("traj_id", *VESSEL_KEYS, s.TIMESTAMP, s.LAT, s.LON, s.SOG, s.COG).to_pandas()
        gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df[s.LON], df[s.LAT]), crs=CRS)
        return mpd.TrajectoryCollection(gdf, traj_id_col="traj_id", t=s.TIMESTAMP)

    # --- maps (shipwatch.maps) ------------------------------------------------------------------------
    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The transit map on matplotlib axes (a new A4 figure when ``ax`` is None); returns the axes.

        Keywords go to :func:`shipwatch.maps.plot_map` (``bbox``, ``source``, ``show_routine``, ``title``).
        """
        from shipwatch.maps import plot_map

        return plot_map(self, ax, **kwargs)

    def plot_transit(self, transit_id: str, ax: Any = None, **kwargs: Any) -> Any:
        """One dark transit zoomed in, with the vessel's track 48 h before and after, its port visits and
        the imagery; returns the axes (:func:`shipwatch.maps.plot_map` with ``transit_id``)."""
        from shipwatch.maps import plot_map

        return plot_map(self, ax, transit_id=transit_id, **kwargs)

    def explore(self, path: Any = None, **kwargs: Any) -> Any:
        """Write the interactive map (one offline HTML file, default ``./transit_map.html``) and return its
        path; keywords go to :func:`shipwatch.maps.write_html` (``bbox``, ``transit_id``, ``tiles``)."""
        from pathlib import Path

        from shipwatch.maps import write_html

        return write_html(self, Path(path) if path is not None else Path("transit_map.html"), **kwargs)


def with_pieces(tracks: pl.DataFrame, *, min_gap_hours: float) -> pl.DataFrame:
    """Tracks sorted by (mmsi, identity, time), with ``piece``: a new piece after each silence longer
    than ``min_gap_hours`` (a gap) within one vessel identity."""
    gap_us = int(min_gap_hours * US_PER_HOUR)
    return tracks.sort([*VESSEL_KEYS, s.TIMESTAMP], maintain_order=True).with_columns(
        (pl.col(s.TIMESTAMP).diff().dt.total_microseconds() > gap_us)
        .fill_null(False)
        .cum_sum()
        .over(VESSEL_KEYS)
        .cast(pl.Int32)
        .alias(PIECE)
    )


def track_lines(tracks: pl.DataFrame, *, min_gap_hours: float) -> tuple[np.ndarray, pl.DataFrame]:
    """LineStrings of the track pieces (see :meth:`Detection.to_geopandas`) and one row per piece:
    mmsi, identity, piece, vessel_name, start, end, positions, shared_mmsi."""
    t = with_pieces(tracks, min_gap_hours=min_gap_hours)
    keys = [*VESSEL_KEYS, PIECE]
    t = t.filter(pl.len().over(keys) >= 2)
    name = (
        pl.col(s.VESSEL_NAME).drop_nulls().first() if s.VESSEL_NAME in t.columns else pl.lit(None, pl.String)
    )
    shared = pl.col(SHARED).any() if SHARED in t.columns else pl.lit(False)
    pieces = t.group_by(keys, maintain_order=True).agg(
        name.alias(s.VESSEL_NAME),
        pl.col(s.TIMESTAMP).first().alias("start"),
        pl.col(s.TIMESTAMP).last().alias("end"),
        pl.len().cast(pl.UInt32).alias("positions"),
        shared.alias(SHARED),
    )
    if t.height == 0:
        return np.array([], dtype=object), pieces
    index = t.select(pl.struct(keys).rle_id()).to_series().to_numpy()
    coords = np.column_stack([t[s.LON].to_numpy(), t[s.LAT].to_numpy()])
    return shapely.linestrings(coords, indices=index), pieces


def _segments(df: pl.DataFrame, a: tuple[str, str], b: tuple[str, str]) -> np.ndarray:
    """Two-point lines from columns ``a`` to ``b`` (lon, lat); None where an end is missing."""
    if df.height == 0:
        return np.array([], dtype=object)
    xy = df.select(*a, *b).to_numpy().astype(float)
    coords = xy.reshape(-1, 2, 2)
    lines = shapely.linestrings(np.nan_to_num(coords))
    lines[np.isnan(xy).any(axis=1)] = None
    return lines


def transit_lines(transits: pl.DataFrame, gaps: pl.DataFrame, ports: list[Port]) -> np.ndarray:
    """Lines from each dark transit's last fix, through its call port, to its next fix."""
    if transits.height == 0:
        return np.array([], dtype=object)
    calls = {p.name: p.call_point() for p in ports}
    ends = transits.select(GAP_ID, "call_port").join(
        gaps.select(GAP_ID, "start_lon", "start_lat", "end_lon", "end_lat"), on=GAP_ID, how="left"
    )
    cx = np.array([calls.get(c, (np.nan, np.nan))[0] for c in ends["call_port"].to_list()])
    cy = np.array([calls.get(c, (np.nan, np.nan))[1] for c in ends["call_port"].to_list()])
    xy = np.column_stack(
        [
            ends["start_lon"].to_numpy(),
            ends["start_lat"].to_numpy(),
            cx,
            cy,
            ends["end_lon"].to_numpy(),
            ends["end_lat"].to_numpy(),
        ]
    ).astype(float)
    lines = shapely.linestrings(np.nan_to_num(xy.reshape(-1, 3, 2)))
    lines[np.isnan(xy).any(axis=1)] = None
    return lines


def ports_frame(ports: list[Port]) -> geopandas.GeoDataFrame:
    """The port registry as a GeoDataFrame of polygons (EPSG:4326)."""
    import geopandas as gpd
    import pandas as pd

    rows = pd.DataFrame(
        {
            "name": [p.name for p in ports],
            "role": [p.role for p in ports],
            "country": [p.country for p in ports],
            "locode": [p.locode for p in ports],
            "wpi": pd.array([p.wpi for p in ports], dtype="Int64"),
            "berth_lon": [p.berth[0] if p.berth else None for p in ports],
            "berth_lat": [p.berth[1] if p.berth else None for p in ports],
        }
    )
    return gpd.GeoDataFrame(rows, geometry=[p.geometry for p in ports], crs=CRS)
