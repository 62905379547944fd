"""The interactive map: one offline file, hostile text inert, and what real headless Chromium draws."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from matplotlib.image import imread

from shipwatch.maps import style as S
from shipwatch.maps import write_html
from shipwatch.maps.interactive import script_json

BROWSER_OWN_HOSTS = re.compile(r"https?://[^/\"]*(google\.com|googleapis\.com|gstatic\.com|gvt1\.com)[/:\"]")


def _outside_code(text: str) -> str:
    """The page with the bodies of <script> and <style> elements removed (the markup only)."""
    text = re.sub(r"(?is)(<script[^>]*>).*?(</script>)", r"\1\2", text)
    return re.sub(r"(?is)(<style[^>]*>).*?(</style>)", r"\1\2", text)


def _data(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="shipwatch-data">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def page(det, tmp_path_factory):
    return write_html(det, tmp_path_factory.mktemp("html") / "map.html", source="sample")


def test_one_file_no_network_reference(page):
    text = page.read_text(encoding="utf-8")
    markup = _outside_code(text)
    assert not re.search(r"(?i)<(script|img|iframe)[^>]*\bsrc\s*=", markup)
    assert not re.search(r"(?i)<link\b", markup)
    assert not re.search(r"(?i)\b(src|href)\s*=\s*[\"']?(https?:)?//", markup)
    assert "https://" not in markup and "http://" not in markup
    assert "Leaflet 1.9.4" in text and "L.map(" in text  # inlined, not fetched
    assert not re.search(r"url\((?!#)", re.search(r"<style>(.*?)</style>", text, re.S).group(1))
    assert page.stat().st_size < 3_000_000
    data = _data(text)
    assert len(data["transits"]) == len(data["transits"]) > 0 and data["tiles"] is None


def test_same_inputs_same_html(det, page, tmp_path):
    again = write_html(det, tmp_path / "again.html", source="sample")
    assert again.read_bytes() == page.read_bytes()


def test_script_json_escapes():
    text = script_json({"a": "</script><b>&\u2028\u2029"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><b>&\u2028\u2029"}


def test_hostile_names_inert_in_html(hostile, tmp_path):
    text = write_html(hostile, tmp_path / "h.html").read_text(encoding="utf-8")
    assert "<script>alert" not in text
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in text
    assert "innerHTML" not in text.split("<script>")[-1]  # our page code builds popups with textContent
    data = _data(text)
    vessels = [dict(t["fields"])["vessel"] for t in data["transits"]]
    assert any(v.startswith("<script>alert(1)</script>") for v in vessels)
    assert any(v.startswith('=HYPERLINK("http://x","y")') for v in vessels)


def test_tiles_only_when_asked(det, tmp_path):
    from shipwatch.errors import InputError

    text = write_html(det, tmp_path / "t.html", tiles="https://tile.example/{z}/{x}/{y}.png").read_text()
    assert _data(text)["tiles"] == "https://tile.example/{z}/{x}/{y}.png"
    with pytest.raises(InputError):
        write_html(det, tmp_path / "bad.html", tiles="javascript:alert(1)")


def _page_requests(net_log: str) -> list[str]:
    urls = re.findall(r'"url":"([^"]+)"', net_log)
    return [u for u in urls if re.match(r"https?://", u) and not BROWSER_OWN_HOSTS.match(u + "/")]


def test_chromium_draws_layers_and_fetches_nothing(chromium, page, tmp_path):
    shot = tmp_path / "shot.png"
    chromium(tmp_path, page.as_uri(), f"--screenshot={shot}")
    assert shot.exists(), "Chromium wrote no screenshot"
    img = (imread(shot)[..., :3] * 255).astype(int)
    flat = img.reshape(-1, 3)

    def count(hex_colour, tol=18):
        rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(flat - rgb).max(axis=1) < tol).sum())

    assert count(S.SEA, 6) > 50_000  # the sea (map background)
    assert count(S.LAND, 6) > 50_000  # the drawn coastline
    assert count(S.GRADE_COLOURS["probable"], 40) > 300  # dark transits
    assert count(S.GRADE_COLOURS["confirmed"], 40) > 100
    net = (tmp_path / "net.json").read_text(encoding="utf-8", errors="replace")
    assert page.as_uri() in net  # the log did record the page
    assert _page_requests(net) == []


def test_chromium_net_log_sees_tile_requests(chromium, det, tmp_path):
    """The control: with --tiles, the same check does see the page's requests."""
    page = write_html(det, tmp_path / "tiles.html", tiles="http://127.0.0.1:9/{z}/{x}/{y}.png")
    chromium(tmp_path, page.as_uri(), f"--screenshot={tmp_path / 's.png'}")
    net = (tmp_path / "net.json").read_text(encoding="utf-8", errors="replace")
    assert any(u.startswith("http://127.0.0.1:9/") for u in _page_requests(net))


def test_chromium_shows_hostile_name_as_text(chromium, hostile, tmp_path):
    tid = hostile.dark_transits["transit_id"][0]  # its popup opens on load
    page = write_html(hostile, tmp_path / "h.html", transit_id=tid)
    proc = chromium(tmp_path, page.as_uri(), "--dump-dom")
    dom = proc.stdout
    assert "sw-pop" in dom, "the transit's popup did not open"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "<script>alert(1)" not in dom
