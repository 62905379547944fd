"""`shipwatch ingest` (placeholder until implemented)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="(not implemented yet)")
    p.set_defaults(handler=lambda args: 1)
