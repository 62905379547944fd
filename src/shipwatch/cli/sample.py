"""``shipwatch sample``: regenerate the simulated sample data set, bit for bit."""

from __future__ import annotations

import argparse
from pathlib import Path

from shipwatch.resources import SAMPLE_DIR


def register(sub: argparse._SubParsersAction) -> None:
    from shipwatch.scenario.sample import SEED

    p = sub.add_parser(
        "sample",
        help="regenerate the simulated sample AIS data set (data/sample_ais)",
        description="Regenerate the bundled simulated sample — daily MarineCadastre CSV.gz files, imagery "
        "sightings, the events table and its README — from the scenario plan. The same seed gives the "
        "same bytes.",
    )
    p.add_argument(
        "out_dir",
        nargs="?",
        type=Path,
        default=SAMPLE_DIR,
        help=f"folder to write into (default {SAMPLE_DIR})",
    )
    p.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from shipwatch.scenario.sample import write_sample

    paths = write_sample(args.out_dir, seed=args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({size / 1e6:.1f} MB) to {args.out_dir}")
    return 0
