"""The static transit map and the monthly chart, checked as a reader sees them: pixels, size, bytes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.image import imread

from shipwatch.errors import InputError
from shipwatch.maps import plot_map, save_map, save_monthly, static
from shipwatch.maps import style as S


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _pixel(ax, buf, lon, lat, r=4):
    """The median colour of the 9 x 9 pixels around (lon, lat): a graticule line through the point is ignored."""
    x, y = ax.transData.transform((lon, lat))
    row, col = round(buf.shape[0] - y), round(x)
    return np.median(buf[row - r : row + r + 1, col - r : col + r + 1, :3].reshape(-1, 3), axis=0).astype(
        float
    )


def test_png_is_a4_wide_and_not_blank(det, tmp_path):
    path = save_map(det, tmp_path / "map.png", source="sample")
    img = imread(path)
    assert img.shape[1] >= 1200 and img.shape[1] > img.shape[0]  # landscape, >= 1,200 px
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200


def test_land_is_drawn_where_land_is(det):
    fig, ax = static._new_figure()
    plot_map(det, ax)
    fig.canvas.draw()
    buf = np.asarray(fig.canvas.buffer_rgba())
    sea = _pixel(ax, buf, 131.5, 42.30)
    land = _pixel(ax, buf, 131.0, 43.0)
    assert np.abs(sea - _rgb(S.SEA)).max() < 12, sea
    assert np.abs(land - _rgb(S.LAND)).max() < 12, land
    # and the transits are drawn in their grade colours somewhere
    flat = buf[..., :3].reshape(-1, 3).astype(int)
    for grade in ("confirmed", "probable"):
        near = np.abs(flat - _rgb(S.GRADE_COLOURS[grade])).max(axis=1) < 25
        assert near.sum() > 500, grade


def test_same_inputs_same_png_bytes(det, tmp_path):
    a = save_map(det, tmp_path / "a.png").read_bytes()
    b = save_map(det, tmp_path / "b.png").read_bytes()
    assert a == b
    assert b"Software" not in a[:4096]


def test_one_transit_zoomed(det, tmp_path):
    tid = det.dark_transits.filter(det.dark_transits["evidence"] == "confirmed")["transit_id"][0]
    one = save_map(det, tmp_path / "one.png", transit_id=tid)
    assert one.read_bytes() != save_map(det, tmp_path / "all.png").read_bytes()
    assert imread(one).shape[1] >= 1200


def test_bbox_override_and_errors(det, tmp_path):
    _fig, ax = static._new_figure()
    plot_map(det, ax, bbox=(130.0, 42.0, 130.6, 42.4))
    x0, x1 = ax.get_xlim()
    assert x0 > 129.9 and x1 < 130.7  # grown to the frame's shape around the box, not beyond reason
    with pytest.raises(InputError, match="bbox"):
        plot_map(det, bbox="1,2,3")
    with pytest.raises(InputError, match="bbox"):
        plot_map(det, bbox=(133, 42, 130, 43))
    with pytest.raises(InputError, match="unknown transit id"):
        save_map(det, tmp_path / "x.png", transit_id="DT-nope")
    assert not (tmp_path / "x.png").exists()


def test_detection_methods(det, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    assert isinstance(det.plot(), Axes)
    tid = det.dark_transits["transit_id"][0]
    assert isinstance(det.plot_transit(tid), Axes)
    _fig, ax = plt.subplots()
    assert det.plot(ax=ax) is ax
    plt.close("all")
    monkeypatch.chdir(tmp_path)
    path = det.explore()
    assert path.name == "transit_map.html" and path.exists()


def test_monthly_chart(det, tmp_path):
    a = save_monthly(det, tmp_path / "m1.png")
    b = save_monthly(det, tmp_path / "m2.png")
    assert a.read_bytes() == b.read_bytes()
    img = imread(a)
    assert img.shape[1] >= 1200
    flat = (img[..., :3] * 255).astype(int).reshape(-1, 3)
    for colour in (S.GRADE_COLOURS["confirmed"], S.GRADE_COLOURS["probable"], S.UNIDENTIFIED_BAR):
        assert (np.abs(flat - _rgb(colour)).max(axis=1) < 20).sum() > 300, colour
