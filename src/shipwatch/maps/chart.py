"""The monthly chart: dark calls per month by port and grade, unidentified imagery calls, and published counts.

Left, one panel per watched/destination port: stacked bars of the dark calls of each month by grade
(confirmed, probable; *possible* hatched, since the summary's ``dark_calls`` does not count them) and, beside
them, the unidentified imagery calls. Right: each published count (:func:`shipwatch.summary.read_reference`)
as a marker beside the detected total over the same months and ports
(:func:`shipwatch.summary.compare_published`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from shipwatch.maps import style as S

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from shipwatch.detection import Detection


def _published_value(text: str) -> float | None:
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    try:
        return float(digits)
    except ValueError:
        return None


def plot_monthly(
    det: Detection, fig: Figure | None = None, *, reference: pl.DataFrame | None = None
) -> Figure:
    """Draw the monthly chart into ``fig`` (a new A4-landscape figure when None) and return the figure.

    ``reference`` defaults to the bundled published counts; pass an empty frame to leave the panel out.
    """
    from matplotlib.patches import Patch

    from shipwatch.summary import compare_published, read_reference

    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=S.A4_LANDSCAPE, dpi=S.DPI)
    summary = det.monthly_summary
    if reference is None:
        reference = read_reference()
    comparison = compare_published(summary, reference) if reference.height else None
    months = sorted(set(summary["month"].to_list()))
    ports = list(dict.fromkeys(summary["port"].to_list()))
    n = max(len(ports), 1)
    fs = 9.5
    grid = fig.add_gridspec(
        n, 2, width_ratios=(1.55, 1), left=0.07, right=0.98, top=0.86, bottom=0.11, wspace=0.55, hspace=0.28
    )
    x = np.arange(len(months))
    w = 0.38
    first = None
    for i, port in enumerate(ports):
        ax = fig.add_subplot(grid[i, 0], sharex=first)
        first = first or ax
        rows = {r["month"]: r for r in summary.filter(pl.col("port") == port).iter_rows(named=True)}

        def col(name: str, rows: dict = rows) -> np.ndarray:
            return np.array([rows.get(m, {}).get(name) or 0 for m in months], dtype=float)

        bottom = np.zeros(len(months))
        for grade in S.GRADES:
            v = col(f"dark_calls_{grade}")
            ax.bar(
                x - w / 2,
                v,
                w,
                bottom=bottom,
                color=S.GRADE_COLOURS[grade],
                edgecolor="white",
                linewidth=0.5,
                hatch="///" if grade == "possible" else None,
                alpha=0.55 if grade == "possible" else 1.0,
                zorder=3,
            )
            bottom += v
        unid = col("unidentified_calls")
        ax.bar(x + w / 2, unid, w, color=S.UNIDENTIFIED_BAR, edgecolor="white", linewidth=0.5, zorder=3)
        top = max(float(bottom.max(initial=0)), float(unid.max(initial=0)), 1.0)
        for xi, v in zip(x - w / 2, col("dark_calls"), strict=True):
            if v:
                ax.text(
                    xi,
                    bottom[int(xi + w / 2 + 0.01)] + top * 0.03,
                    f"{int(v)}",
                    ha="center",
                    va="bottom",
                    fontsize=fs * 0.8,
                )
        if not bottom.any() and not unid.any():
            ax.text(
                0.5,
                0.5,
                "no dark calls and no unidentified ships in imagery",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=fs * 0.9,
                color="#777777",
            )
        role = next((r["role"] for r in rows.values()), "")
        ax.set_ylim(0, top * 1.28)
        ax.set_title(
            f"{port} ({role})",
            loc="left",
            fontsize=fs * 1.05,
            fontweight="bold",
            color=S.ROLE_COLOURS.get(role, "black"),
        )
        ax.set_ylabel("calls", fontsize=fs * 0.85)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", color="#dddddd", zorder=0)
        ax.tick_params(labelsize=fs * 0.85)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if i < n - 1:
            ax.tick_params(labelbottom=False)
    if first is not None:
        first.set_xticks(x)
        first.set_xticklabels(months, rotation=0)
    handles = [
        Patch(
            facecolor=S.GRADE_COLOURS[g],
            hatch="///" if g == "possible" else None,
            alpha=0.55 if g == "possible" else 1.0,
            label=f"dark call: {g}" + (" (not in the count)" if g == "possible" else ""),
        )
        for g in S.GRADES
    ]
    handles.append(Patch(facecolor=S.UNIDENTIFIED_BAR, label="unidentified ship in imagery"))
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.07, 0.01),
        ncol=4,
        fontsize=fs * 0.9,
        frameon=False,
    )
    # published counts beside detected totals
    if comparison is not None and comparison.height:
        ax = fig.add_subplot(grid[:, 1])
        rows = list(comparison.iter_rows(named=True))
        y = np.arange(len(rows))[::-1]
        labels = []
        for yi, r in zip(y, rows, strict=True):
            pub = _published_value(r["published"])
            det_v = r["detected"]
            labels.append(
                textwrap.shorten(f"{r['source']}: {r['what']}", 58, placeholder="…")
                + f"\n{r['port'] or '-'}, {r['period']}"
            )
            if pub is not None and det_v is not None:
                ax.plot([pub, det_v], [yi, yi], color="#bbbbbb", lw=1.5, zorder=2)
            if pub is not None:
                ax.scatter([pub], [yi], marker="D", s=46, color="black", zorder=3)
                ax.annotate(
                    r["published"],
                    (pub, yi),
                    xytext=(0, 6),
                    textcoords="offset points",
                    ha="center",
                    fontsize=fs * 0.75,
                )
            if det_v is not None:
                ax.scatter([det_v], [yi], marker="o", s=52, color=S.GRADE_COLOURS["confirmed"], zorder=4)
            else:
                ax.annotate(
                    "not comparable",
                    (pub or 0, yi),
                    xytext=(8, -3),
                    textcoords="offset points",
                    fontsize=fs * 0.7,
                    color="#777777",
                )
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=fs * 0.68)
        ax.set_xlabel("count", fontsize=fs * 0.85)
        ax.set_xlim(left=-1)
        ax.grid(axis="x", color="#dddddd", zorder=0)
        ax.tick_params(axis="x", labelsize=fs * 0.85)
        ax.set_title(
            "Published counts (◆) beside detected (●)", loc="left", fontsize=fs * 1.05, fontweight="bold"
        )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    watched = ", ".join(p.name for p in det.ports if p.role == "watch") or "watched ports"
    span = f"{months[0]} – {months[-1]}" if months else "no months"
    fig.text(
        0.07,
        0.965,
        f"Dark calls per month via {watched}, {span}",
        fontsize=fs * 1.5,
        fontweight="bold",
        va="top",
    )
    fig.text(
        0.07,
        0.925,
        "Dark call = a transit with AIS off that fits a call at the port. Counted calls are "
        "probable + confirmed; 'possible' are drawn hatched and left out, as in monthly_summary.csv.",
        fontsize=fs * 0.9,
        va="top",
        color="#333333",
    )
    return fig


def save_monthly(det: Detection, path: str | Path, **kwargs: Any) -> Path:
    """:func:`plot_monthly` as an A4-landscape PNG; same inputs, same bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from shipwatch.maps.static import _save

    fig = Figure(figsize=S.A4_LANDSCAPE, dpi=S.DPI)
    FigureCanvasAgg(fig)
    plot_monthly(det, fig, **kwargs)
    return _save(fig, path)
