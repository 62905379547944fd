"""shipwatch: find ships that go dark between ports."""

from __future__ import annotations

__version__ = "0.1.0"
