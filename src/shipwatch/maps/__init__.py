"""Maps of a detection run: what an analyst pastes into a brief (issue 10).

- :func:`plot_map` / :func:`save_map`: the static transit map (PNG, A4 landscape, offline land);
- :func:`plot_monthly` / :func:`save_monthly`: dark calls per month by port and grade, beside published counts;
- :func:`write_html`: one offline HTML file with Leaflet inlined, switchable layers and popups.

Everything here works offline and never prints; the PNGs are byte-for-byte reproducible.
"""

from __future__ import annotations

from shipwatch.maps.chart import plot_monthly, save_monthly
from shipwatch.maps.interactive import write_html
from shipwatch.maps.layers import describe_source
from shipwatch.maps.static import plot_map, save_map

__all__ = ["describe_source", "plot_map", "plot_monthly", "save_map", "save_monthly", "write_html"]
