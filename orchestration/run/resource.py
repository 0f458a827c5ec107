"""The run resource: what every run of the job does before its first asset, however
it was launched (``tiering run``, the schedule, the landing sensor, a month-end
backfill, or by hand from the UI).

:class:`TieringRun` is :class:`~orchestration.config.TieringConfig` plus, for the
length of the run:

- the run lock ``$TIERING_HOME/.run.lock``: a run launched by Dagster waits for a
  ``tiering run`` of the same home (and the other way round), as two runs of the
  queue wait for each other through its tag limit;
- the production key check, before anything is written;
- umask 027 on the home, so everything the run creates is private;
- the roll-forward of a restore that was interrupted.
"""

from __future__ import annotations

import contextlib

import dagster as dg
from pydantic import PrivateAttr

from orchestration.config import TieringConfig
from orchestration.security.backup import finish_interrupted_restore
from orchestration.security.keys import preflight
from orchestration.security.stores import make_private
from orchestration.settings import Paths
from orchestration.warehouse import exclusive_run


def prepare_home(paths: Paths, say) -> None:
    """Check the production keys, make the home private, finish an interrupted
    restore. Idempotent: ``tiering run`` calls it before taking the run lock, and the
    run resource again inside the run."""
    preflight(paths.home)
    make_private(paths.home)
    finished = finish_interrupted_restore(paths)
    if finished:
        say(f"finished an interrupted restore: swapped in {', '.join(finished)}")


class TieringRun(TieringConfig):
    """The run settings of :class:`TieringConfig`, holding the home's run lock and
    having prepared the home for the length of the run."""

    _run_scope: contextlib.ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        say = context.log.info if context.log else print
        self._run_scope = contextlib.ExitStack()
        try:
            self._run_scope.enter_context(exclusive_run(self.paths.home, say=say))
            prepare_home(self.paths, say)
        except BaseException:
            self._run_scope.close()
            raise

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        try:
            if self._run_scope is not None:
                self._run_scope.close()
        finally:
            super().teardown_after_execution(context)
