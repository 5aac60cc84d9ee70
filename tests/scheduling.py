"""How xdist hands out the suite: the longest tests first, module fixtures made once.

xdist's `load` scheduler hands tests out in collection order, so a whole-warehouse test
collected late starts late and the run waits for it; and it splits a module between workers,
so a module-scoped fixture that builds or runs something (a `tradewatch run`, a rebuild) is
made once per worker. (`--dist loadgroup` would keep marked tests together, but its marks are
ignored with pytest 9: xdist 3.8 renames `item._nodeid`, which pytest 9 no longer reads.)

`LongestFirstScheduling` hands out one test at a time, except that the tests of a module
that declares a module-scoped fixture go to one worker together; units go out longest first,
by the durations the last run recorded (`record_duration`, kept in pytest's cache), with
modules that declare module-scoped fixtures counted long when no duration is known yet.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import WorkerController

DURATIONS_KEY = "tradewatch/durations"
UNKNOWN_SECONDS = 1.0  # a test the last run did not time
UNKNOWN_MODULE_SECONDS = 120.0  # a module fixture not yet timed: typically a warehouse run


def shares_module_fixtures(path: Path) -> bool:
    return path.suffix == ".py" and 'scope="module"' in path.read_text(encoding="utf-8")


class LongestFirstScheduling(LoadScopeScheduling):
    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        super().__init__(config, log)
        cache = getattr(config, "cache", None)
        self.durations: dict[str, float] = cache.get(DURATIONS_KEY, {}) if cache else {}
        self.rootpath = config.rootpath
        self.grouped: dict[str, bool] = {}
        self.ordered = False

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        if module not in self.grouped:
            self.grouped[module] = shares_module_fixtures(self.rootpath / module)
        return module if self.grouped[module] else nodeid

    def _expected_seconds(self, scope: str, nodeids: dict[str, bool]) -> float:
        known = [self.durations[nodeid] for nodeid in nodeids if nodeid in self.durations]
        if not known and scope != next(iter(nodeids)):
            return UNKNOWN_MODULE_SECONDS
        return sum(known) + UNKNOWN_SECONDS * (len(nodeids) - len(known))

    def _assign_work_unit(self, node: WorkerController) -> None:
        if not self.ordered:  # the queue is complete when the first unit goes out
            longest_first = sorted(
                self.workqueue.items(), key=lambda unit: -self._expected_seconds(*unit)
            )
            self.workqueue = OrderedDict(longest_first)
            self.ordered = True
        super()._assign_work_unit(node)


def record_duration(config: pytest.Config, durations: dict[str, float]) -> None:
    """Merge this run's per-test seconds (setup + call + teardown) into the cache."""
    cache = getattr(config, "cache", None)
    if cache is None or not durations:
        return
    merged = cache.get(DURATIONS_KEY, {}) | durations
    cache.set(DURATIONS_KEY, merged)
