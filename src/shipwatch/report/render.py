"""Rendering with Jinja2, autoescape on: every text that comes from the data is HTML-escaped.

Templates live in ``templates/`` beside this module (installed as package data). Nothing is built by
string concatenation: the template is the only place HTML is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_DIR = Path(__file__).parent / "templates"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2", "j2"), default=True,
                                        default_for_string=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _num(v: Any, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _signed(v: Any) -> str:
    if v is None:
        return "–"
    return "±0" if v == 0 else f"{v:+,}"


_ENV.filters["num"] = _num
_ENV.filters["signed"] = _signed


def render_template(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context``."""
    return _ENV.get_template(name).render(**context)
