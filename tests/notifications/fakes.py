"""A scriptable channel for delivery tests, configured by dotted path like any custom one:
BIANMIN["NOTIFY_CHANNELS"] = {"sms": "tests.notifications.fakes.ScriptedChannel"}."""

from __future__ import annotations

import threading
import time

from bianmin.notifications.channels import PermanentFailure, TemporaryFailure


class ScriptedChannel:
    transactional = False
    # Class-level, because the deliverer makes its own instance; reset by the fixture.
    sent: list[int] = []
    script: list[Exception | None] = []
    delay = 0.0
    _lock = threading.Lock()

    def send(self, message) -> None:
        with self._lock:
            outcome = ScriptedChannel.script.pop(0) if ScriptedChannel.script else None
        if self.delay:
            time.sleep(self.delay)
        if outcome is not None:
            raise outcome
        with self._lock:
            ScriptedChannel.sent.append(message.pk)

    @classmethod
    def reset(cls) -> None:
        cls.sent, cls.script, cls.delay = [], [], 0.0


__all__ = ["PermanentFailure", "ScriptedChannel", "TemporaryFailure"]
