"""The static transit map: a PNG an analyst pastes into a brief (matplotlib + GeoPandas, offline).

:func:`plot_map` draws onto matplotlib axes; :func:`save_map` writes an A4-landscape PNG whose bytes depend
only on the inputs. Layers, bottom to top: sea, land (:mod:`shipwatch.coastline`), AIS tracks (faint), port
polygons by role, dark transits over water (dashed, coloured by grade), imagery sightings by match, port
labels, legend, scale bar, north arrow and a title with the period and the data source.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from shipwatch.maps import layers as L
from shipwatch.maps import style as S

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from shipwatch.detection import Detection

FOCUS_HOURS = 48.0
_NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def _new_figure() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=S.A4_LANDSCAPE, dpi=S.DPI)
    FigureCanvasAgg(fig)
    return fig, fig.add_axes((0.05, 0.07, 0.69, 0.80))


def _set_extent(ax: Axes, bbox: L.BBox) -> L.BBox:
    """Limits grown (never cut) to the shape of the axes at an equal-distance aspect around the box's middle
    latitude, so the map fills its frame; returns the final limits."""
    w, s, e, n = bbox
    k = math.cos(math.radians((s + n) / 2))
    pos = ax.get_position()
    fw, fh = ax.figure.get_size_inches()
    target = (pos.width * fw) / (pos.height * fh)  # axes width / height, in inches
    cx, cy = (w + e) / 2, (s + n) / 2
    dx, dy = e - w, n - s
    if dx * k / dy < target:
        dx = dy * target / k
    else:
        dy = dx * k / target
    dy = min(dy, 179.0)
    x0, x1, y0, y1 = cx - dx / 2, cx + dx / 2, max(cy - dy / 2, -89.9), min(cy + dy / 2, 89.9)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / k, adjustable="box")
    ax.set_autoscale_on(False)
    return (x0, y0, x1, y1)


def _draw_land(ax: Axes, extent: L.BBox) -> None:
    import geopandas as gpd

    from shipwatch.coastline import land_polygons

    pad = 0.05 * max(extent[2] - extent[0], extent[3] - extent[1])
    clip = (extent[0] - pad, max(extent[1] - pad, -90), extent[2] + pad, min(extent[3] + pad, 90))
    polys = land_polygons(bbox=clip)
    ax.set_facecolor(S.SEA)
    if polys:
        gpd.GeoSeries(polys).plot(
            ax=ax, aspect=None, color=S.LAND, edgecolor=S.COAST, linewidth=0.4, zorder=1
        )


def _deg_label(v: float, pos: str) -> str:
    if pos == "x":
        return f"{abs(v):g}°{'E' if v >= 0 else 'W'}"
    return f"{abs(v):g}°{'N' if v >= 0 else 'S'}"


def _axes_furniture(ax: Axes, extent: L.BBox, fontsize: float) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg_label(round(v, 4), "x")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg_label(round(v, 4), "y")))
    ax.tick_params(labelsize=fontsize * 0.85, length=3)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.grid(color="white", linewidth=0.5, alpha=0.6, zorder=0.5)
    # scale bar (km and nm), bottom left
    x0, y0, x1, y1 = extent
    lat = (y0 + y1) / 2
    kpd = L.km_per_degree_lon(lat)
    width_km = (x1 - x0) * kpd
    km = max([k for k in _NICE_KM if k <= width_km * 0.22] or [_NICE_KM[0]])
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    dx = km / kpd
    ax.fill_between(
        [bx - 0.01 * (x1 - x0), bx + dx * 1.12],
        by - 0.025 * (y1 - y0),
        by + 0.06 * (y1 - y0),
        color="white",
        alpha=0.75,
        zorder=8,
        linewidth=0,
    )
    for i in range(2):
        ax.plot(
            [bx + i * dx / 2, bx + (i + 1) * dx / 2],
            [by, by],
            color=("black", "white")[i],
            linewidth=4,
            solid_capstyle="butt",
            zorder=9,
        )
    ax.plot([bx, bx + dx], [by, by], color="black", linewidth=5.2, solid_capstyle="butt", zorder=8.9)
    nm = km / 1.852
    ax.text(
        bx + dx / 2,
        by + 0.012 * (y1 - y0),
        f"{km:g} km  ≈ {nm:.3g} nm",
        ha="center",
        va="bottom",
        fontsize=fontsize * 0.85,
        zorder=9,
    )
    # north arrow, top left
    ax.annotate(
        "N",
        xy=(0.04, 0.95),
        xytext=(0.04, 0.85),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=fontsize * 1.1,
        fontweight="bold",
        zorder=9,
        arrowprops={
            "facecolor": "black",
            "edgecolor": "black",
            "width": 3,
            "headwidth": 10,
            "headlength": 10,
        },
    )


def _place_labels(ax: Axes, items: list[tuple[float, float, str, float, str, str]]) -> None:
    """Labels beside their points, each at the first of eight offsets that does not overlap one already placed
    (deterministic, greedy in the order given: the most important first)."""
    from matplotlib import patheffects

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    placed: list[Any] = []
    offsets = [(7, 4), (7, -12), (-7, 4), (-7, -12), (0, 10), (0, -16), (14, 14), (-14, -20)]
    ax_box = ax.get_window_extent(renderer)
    for x, y, text, size, colour, weight in items:
        best = None
        for dx, dy in offsets:
            t = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=size,
                color=colour,
                fontweight=weight,
                ha="left" if dx > 0 else ("right" if dx < 0 else "center"),
                va="bottom",
                zorder=10,
                annotation_clip=True,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            )
            bb = t.get_window_extent(renderer).expanded(1.04, 1.1)
            inside = ax_box.contains(bb.x0, bb.y0) and ax_box.contains(bb.x1, bb.y1)
            if inside and not any(bb.overlaps(p) for p in placed):
                best = (t, bb)
                break
            t.remove()
        if best is None:  # nowhere free: the first position, overlapping
            t = ax.annotate(
                text,
                (x, y),
                xytext=offsets[0],
                textcoords="offset points",
                fontsize=size,
                color=colour,
                fontweight=weight,
                zorder=10,
                annotation_clip=True,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            )
            best = (t, t.get_window_extent(renderer))
        placed.append(best[1])


def _draw_ports(ax: Axes, det: Detection, extent: L.BBox, fontsize: float, highlight: set[str]) -> list:
    import geopandas as gpd

    items = []
    for role in S.ROLES:
        ports = [p for p in det.ports if p.role == role]
        if not ports:
            continue
        colour = S.ROLE_COLOURS[role]
        gpd.GeoSeries([p.geometry for p in ports]).plot(
            ax=ax, aspect=None, facecolor=colour, edgecolor=colour, alpha=0.35, linewidth=1.0, zorder=3
        )
        xy = np.array([p.call_point() for p in ports])
        size = {"watch": 60, "destination": 50, "reference": 22}[role]
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=size,
            marker=S.ROLE_MARKERS[role],
            facecolor=colour,
            edgecolor="white",
            linewidth=0.8,
            zorder=6,
        )
        for p, (x, y) in zip(ports, xy, strict=True):
            if extent[0] <= x <= extent[2] and extent[1] <= y <= extent[3]:
                big = role != "reference" or p.name in highlight
                items.append(
                    (
                        x,
                        y,
                        p.name,
                        fontsize * (1.05 if big else 0.8),
                        colour,
                        "bold" if big else "normal",
                        {"watch": 0, "destination": 1, "reference": 2}[role],
                    )
                )
    items.sort(key=lambda i: (i[6], i[0]))
    return [i[:6] for i in items]


def _draw_tracks(ax: Axes, det: Detection) -> None:
    import geopandas as gpd

    from shipwatch.detection import track_lines

    if det.tracks.height == 0:
        return
    lines, _ = track_lines(det.tracks, min_gap_hours=det.settings.gaps.min_hours)
    if len(lines):
        gpd.GeoSeries(list(lines)).plot(ax=ax, aspect=None, color=S.TRACK, linewidth=0.3, alpha=0.2, zorder=2)


def _draw_transits(ax: Axes, det: Detection, rows: pl.DataFrame, *, focus: bool = False) -> list[str]:
    routes = L.transit_routes(det)
    drawn = []
    for row in rows.iter_rows(named=True):
        line = routes[row["_row"]]
        if line is None:
            continue
        grade = row["evidence"] if row["evidence"] in S.GRADES else "possible"
        faint = bool(row.get("routine")) and grade == "possible"
        xy = np.asarray(line.coords)
        ax.plot(
            xy[:, 0],
            xy[:, 1],
            color=S.GRADE_COLOURS[grade],
            linewidth=S.GRADE_WIDTHS[grade] * (1.5 if focus else 1.0),
            linestyle=(0, (5, 2.5)),
            alpha=S.ROUTINE_ALPHA if faint else 0.85,
            zorder=5,
            solid_capstyle="round",
            dash_capstyle="round",
        )
        ends = [(row["start_lon"], row["start_lat"], "o"), (row["end_lon"], row["end_lat"], "s")]
        for x, y, m in ends:
            if L._finite(x, y):
                ax.scatter(
                    [x],
                    [y],
                    s=18 if not focus else 40,
                    marker=m,
                    facecolor="white",
                    edgecolor=S.GRADE_COLOURS[grade],
                    linewidth=1.1,
                    zorder=6.5,
                )
        drawn.append(grade)
    return drawn


def _draw_sightings(ax: Axes, sightings: pl.DataFrame, *, scale: float = 1.0) -> list[str]:
    seen = []
    if sightings.height == 0:
        return seen
    for match in S.MATCHES[::-1]:
        sg = sightings.filter(pl.col("match") == match)
        if sg.height == 0:
            continue
        ax.scatter(
            sg["lon"].to_numpy(),
            sg["lat"].to_numpy(),
            s=(70 if match == "dark_transit" else 34) * scale,
            marker=S.MATCH_MARKERS[match],
            facecolor=S.MATCH_COLOURS[match],
            edgecolor="white",
            linewidth=0.6,
            zorder=7,
            alpha=0.9,
        )
        seen.append(match)
    return seen


def _legend(
    ax: Axes,
    grades: list[str],
    matches: list[str],
    roles: list[str],
    *,
    outside: bool,
    fontsize: float,
    focus_track: bool,
    routine_hidden: int,
) -> None:
    from matplotlib.lines import Line2D

    h: list[Any] = []
    for g in S.GRADES:
        if g in grades:
            h.append(
                Line2D(
                    [],
                    [],
                    color=S.GRADE_COLOURS[g],
                    lw=S.GRADE_WIDTHS[g] + 0.4,
                    ls=(0, (5, 2.5)),
                    label=f"dark transit: {g}",
                )
            )
    if grades:
        h.append(Line2D([], [], marker="o", ls="", mfc="white", mec="black", label="last fix before dark"))
        h.append(Line2D([], [], marker="s", ls="", mfc="white", mec="black", label="first fix after"))
    if focus_track:
        h.append(Line2D([], [], color=S.FOCUS_TRACK, lw=1.8, marker=".", label="its AIS track (±48 h)"))
    h.append(Line2D([], [], color=S.TRACK, lw=1.0, alpha=0.5, label="AIS tracks"))
    for r in S.ROLES:
        if r in roles:
            h.append(
                Line2D(
                    [],
                    [],
                    marker=S.ROLE_MARKERS[r],
                    ls="",
                    ms=8,
                    mfc=S.ROLE_COLOURS[r],
                    mec="white",
                    label=f"port: {r}",
                )
            )
    for m in S.MATCHES:
        if m in matches:
            h.append(
                Line2D(
                    [],
                    [],
                    marker=S.MATCH_MARKERS[m],
                    ls="",
                    ms=13 if m == "dark_transit" else 7,
                    mfc=S.MATCH_COLOURS[m],
                    mec="white",
                    label=S.MATCH_LABELS[m],
                )
            )
    title = "Legend"
    if outside:
        leg = ax.figure.legend(
            handles=h,
            loc="upper left",
            bbox_to_anchor=(0.755, 0.87),
            fontsize=fontsize,
            title=title,
            title_fontsize=fontsize * 1.05,
            frameon=False,
            borderaxespad=0,
        )
    else:
        leg = ax.legend(handles=h, loc="lower right", fontsize=fontsize * 0.8, framealpha=0.85)
    leg.set_zorder(12)
    if routine_hidden and outside:
        ax.figure.text(
            0.757,
            0.085,
            textwrap.fill(
                f"Not drawn: {routine_hidden} possible call{'s' if routine_hidden != 1 else ''} by routine vessels "
                "(vessels that go dark often).",
                40,
            ),
            fontsize=fontsize * 0.85,
            color="#555555",
            va="bottom",
        )


def plot_map(
    det: Detection,
    ax: Axes | None = None,
    *,
    bbox: L.BBox | str | None = None,
    transit_id: str | None = None,
    source: str | None = None,
    show_routine: bool = False,
    hours: float = FOCUS_HOURS,
    title: str | None = None,
) -> Axes:
    """Draw the transit map of ``det`` onto ``ax`` (a new A4-landscape figure when None) and return the axes.

    ``bbox`` (W, S, E, N degrees, or the text ``"W,S,E,N"``) overrides the default extent: the watched and
    destination ports plus the drawn transits. ``transit_id`` draws one dark transit zoomed in, with the
    vessel's track ``hours`` before and after, its port visits and the imagery. Routine vessels' *possible*
    calls are left out unless ``show_routine``. ``source`` (e.g. from :func:`layers.describe_source`) is
    named in the title.
    """
    box = L.parse_bbox(bbox)
    own_figure = ax is None
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=S.A4_LANDSCAPE, dpi=S.DPI)
        ax = fig.add_axes((0.05, 0.07, 0.69, 0.80))
    fs = 9.5
    focus = L.transit_row(det, transit_id) if transit_id is not None else None
    all_rows = L.shown_transits(det, show_routine=show_routine)
    hidden = det.dark_transits.height - all_rows.height
    if focus is not None:
        window = L.focus_window(det, focus, hours)
        rows = det.dark_transits.with_row_index("_row").filter(pl.col("transit_id") == transit_id)
        line = L.transit_routes(det)[focus["_row"]]
        import shapely

        geoms = [
            g
            for g in (
                line,
                shapely.multipoints(window.select("lon", "lat").to_numpy()) if window.height else None,
            )
            if g is not None and not g.is_empty
        ]
        ports = {p.name: p for p in det.ports}
        geoms += [ports[n].geometry for n in (focus["call_port"],) if n in ports]
        extent = box or L.pad_bbox(
            shapely.union_all(geoms).bounds if geoms else L.default_extent(det), 0.15, 0.08
        )
    else:
        rows = all_rows
        extent = box or L.default_extent(det, show_routine=show_routine)
    extent = _set_extent(ax, extent)
    _draw_land(ax, extent)
    _draw_tracks(ax, det)
    highlight: set[str] = set()
    if focus is not None:
        visits = L.focus_visits(det, focus, hours)
        highlight = set(visits["port"].to_list()) | {focus["call_port"]}
    label_items = _draw_ports(ax, det, extent, fs, highlight)
    grades = _draw_transits(ax, det, rows, focus=focus is not None)
    if focus is not None:
        if window.height:
            ax.plot(
                window["lon"].to_numpy(),
                window["lat"].to_numpy(),
                color=S.FOCUS_TRACK,
                lw=1.6,
                zorder=6,
                marker=".",
                ms=2.5,
            )
        sightings = L.focus_sightings(det, focus, hours)
        # port visits: the times beside the port
        for v in visits.iter_rows(named=True):
            port = next((p for p in det.ports if p.name == v["port"]), None)
            if port is None:
                continue
            x, y = port.call_point()
            label_items.append(
                (
                    x,
                    y,
                    f"AIS visit {v['port']}: {L.fmt_time(v['arrival'])[5:16]} – "
                    f"{L.fmt_time(v['departure'])[5:16]}",
                    fs * 0.8,
                    S.FOCUS_TRACK,
                    "normal",
                )
            )
    else:
        sightings = det.sightings
    matches = _draw_sightings(ax, sightings, scale=1.4 if focus is not None else 1.0)
    extent = _set_extent(ax, extent)  # again: nothing drawn may move the frame
    _axes_furniture(ax, extent, fs)
    _place_labels(ax, label_items)
    roles = sorted({p.role for p in det.ports}, key=S.ROLES.index)
    outside = own_figure or getattr(ax, "_shipwatch_outside_legend", False)
    _legend(
        ax,
        grades,
        matches,
        roles,
        outside=outside,
        fontsize=fs,
        focus_track=focus is not None,
        routine_hidden=hidden if focus is None else 0,
    )
    # title: what, when, from what
    if focus is not None:
        head = title or (
            f"Dark transit of {L.vessel_label(focus)}: {focus['evidence']} call at {focus['call_port']}"
        )
        sub = (
            f"dark {L.fmt_time(focus['dark_start'])} – {L.fmt_time(focus['dark_end'])} "
            f"({L.fmt_num(focus['dark_hours'])} h); its AIS track ±{hours:g} h; imagery at "
            f"{focus['call_port']} in that window."
        )
        why = (
            "Why: "
            + (focus.get("why") or "")
            + (f" Imagery: {focus['imagery']}" if focus.get("imagery") else "")
        )
        if outside:
            ax.figure.text(
                0.757,
                0.085,
                textwrap.fill(textwrap.shorten(why, 700), 46),
                fontsize=fs * 0.8,
                color="#333333",
                va="bottom",
            )
    else:
        watched = ", ".join(p.name for p in det.ports if p.role == "watch") or "watched ports"
        head = title or f"Dark transits via {watched}, {L.period_text(det)}"
        counts = {g: int((det.dark_transits["evidence"] == g).sum()) for g in S.GRADES}
        sub = (
            f"{det.dark_transits.height} dark transits ("
            + ", ".join(f"{v} {k}" for k, v in counts.items())
            + "); period = first–last dark start."
        )
    sub = sub + (f" Source: {source}." if source else "") + " Drawn by shipwatch; land: GSHHG/Natural Earth."
    if outside:
        ax.figure.text(0.05, 0.965, head, fontsize=fs * 1.5, fontweight="bold", va="top")
        ax.figure.text(0.05, 0.925, textwrap.fill(sub, 150), fontsize=fs * 0.9, va="top", color="#333333")
    else:
        ax.set_title(head + "\n" + textwrap.fill(sub, 110), fontsize=fs * 0.9, loc="left")
    return ax


def save_map(det: Detection, path: str | Path, **kwargs: Any) -> Path:
    """:func:`plot_map` as an A4-landscape PNG at :data:`~shipwatch.maps.style.DPI`; same inputs, same bytes."""
    fig, ax = _new_figure()
    ax._shipwatch_outside_legend = True
    plot_map(det, ax, **kwargs)
    return _save(fig, path)


def _save(fig: Any, path: str | Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.savefig(path, dpi=S.DPI, format="png", metadata={"Software": None}, facecolor="white")
    return path
