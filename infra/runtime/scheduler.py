"""EventBridge schedules of the template (``Schedule``/``ScheduleV2`` events with ``rate()`` or
``cron()``), fired locally since the local cloud never fires them. AWS cron has six fields
(minutes hours day-of-month month day-of-week year) with ``?``; croniter gets the first five.
"""
from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.runtime.functions import FunctionPool
from infra.stack import Stack

log = logging.getLogger("shopdesk.local")
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")


def next_fire(expression: str, after: datetime) -> datetime:
    rate = _RATE.match(expression)
    if rate:
        n, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        return after + timedelta(**{f"{unit}s": n})
    cron = re.match(r"^cron\((.+)\)$", expression)
    if not cron:
        raise ValueError(f"unsupported schedule expression {expression!r}")
    from croniter import croniter

    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ValueError(f"AWS cron needs 6 fields: {expression!r}")
    five = " ".join(f.replace("?", "*") for f in fields[:5])
    return croniter(five, after).get_next(datetime)  # type: ignore[no-any-return]


class Scheduler(threading.Thread):
    def __init__(self, stack: Stack, pool: FunctionPool) -> None:
        super().__init__(name="scheduler", daemon=True)
        self.pool = pool
        self.stopping = threading.Event()
        self.schedules: dict[str, tuple[str, str]] = {}  # "Function.Event" -> (function, expression)
        for kind in ("Schedule", "ScheduleV2"):
            for function, event_name, props in stack.events_of(kind):
                self.schedules[f"{function}.{event_name}"] = (function, props["ScheduleExpression"])
        self.fired: dict[str, int] = {k: 0 for k in self.schedules}

    def fire(self, name: str) -> Any:
        function, _ = self.schedules[name]
        event = {"version": "0", "id": name, "detail-type": "Scheduled Event", "source": "aws.scheduler",
                 "time": datetime.now(UTC).isoformat(), "detail": {}}
        result = self.pool[function].invoke(event)
        self.fired[name] += 1
        return result

    def run(self) -> None:
        now = datetime.now(UTC)
        due = {name: next_fire(expr, now) for name, (_, expr) in self.schedules.items()}
        while not self.stopping.is_set() and due:
            name = min(due, key=due.__getitem__)
            wait = (due[name] - datetime.now(UTC)).total_seconds()
            if wait > 0 and self.stopping.wait(min(wait, 30)):
                return
            if datetime.now(UTC) >= due[name]:
                try:
                    self.fire(name)
                except Exception:
                    log.exception("schedule %s failed", name)
                due[name] = next_fire(self.schedules[name][1], datetime.now(UTC))

    def stop(self) -> None:
        self.stopping.set()
