"""The Monday report: a self-contained HTML report of one period, produced unattended from a TOML config.

:func:`run_report` is what ``shipwatch report --config FILE`` runs (see :mod:`shipwatch.report.build`);
:func:`load_config` reads and validates the config (:mod:`shipwatch.report.config`); periods are in
:mod:`shipwatch.report.periods`.
"""

from __future__ import annotations

from shipwatch.report.build import Outcome, run_report
from shipwatch.report.config import ReportConfig, load_config
from shipwatch.report.periods import Period

__all__ = ["Outcome", "Period", "ReportConfig", "load_config", "run_report"]
