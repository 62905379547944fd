"""The ``shipwatch`` command: a thin translator over the library.

Each command group lives in its own module with ``register(subparsers)``; the module's handler
returns an exit code. Library errors (:class:`~shipwatch.errors.ShipwatchError`) become one
line on stderr and their exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

# polars allocates with jemalloc, which by default keeps freed pages for a while: bucket after bucket that
# reads as growing memory. Return them within half a second (set before polars is first imported; a user's setting wins).
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:500,muzzy_decay_ms:500")

from shipwatch import __version__
from shipwatch.errors import ShipwatchError

COMMANDS = ("ingest", "detect", "summary", "demo", "map", "export", "report")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    import importlib

    parser = argparse.ArgumentParser(
        prog="shipwatch",
        description="Find ships that go dark between ports: ingest AIS, detect port visits, gaps and dark transits.",
    )
    parser.add_argument("--version", action="version", version=f"shipwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"shipwatch.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ShipwatchError as err:
        print(f"shipwatch {args.command}: error: {err}", file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as err:  # a write the library did not foresee (store on a full or read-only disk)
        from shipwatch.export import write_error

        print(f"shipwatch {args.command}: error: {write_error(err.filename or '?', err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("shipwatch: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: still one line, with how to get the details
        if os.environ.get("SHIPWATCH_DEBUG"):
            raise
        print(
            f"shipwatch {args.command}: internal error: {type(err).__name__}: {err} "
            "(please report it; rerun with SHIPWATCH_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
