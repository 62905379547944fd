"""``python -m sim [OUT_DIR] [--seed N]``: regenerate the simulated sample, bit for bit.

``make sample`` runs ``PYTHONPATH=tools python -m sim data/sample_ais``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from shipwatch.resources import SAMPLE_DIR


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, write the sample and print one line; returns the exit code."""
    from sim.sample import SEED, write_sample

    parser = argparse.ArgumentParser(
        prog="python -m sim",
        description="Regenerate the bundled simulated sample — daily MarineCadastre CSV.gz files, imagery "
        "sightings, the events table and its README — from the simulator's plan. The same seed gives the "
        "same bytes.",
    )
    parser.add_argument(
        "out_dir",
        nargs="?",
        type=Path,
        default=SAMPLE_DIR,
        help=f"folder to write into (default {SAMPLE_DIR})",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    paths = write_sample(args.out_dir, seed=args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({size / 1e6:.1f} MB) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
