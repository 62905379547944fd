"""``python -m shipwatch.scenario OUT_DIR``: regenerate the bundled sample into ``OUT_DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shipwatch.scenario.sample import SEED, write_sample


def main(argv: list[str] | None = None) -> int:
    """Write the sample; print one summary line; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m shipwatch.scenario", description="Regenerate the simulated sample AIS data set."
    )
    parser.add_argument("out_dir", type=Path, help="folder to write into, e.g. data/sample_ais")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    paths = write_sample(args.out_dir, seed=args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({size / 1e6:.1f} MB) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
