"""Notification fixtures: a resident with a mobile number, and channels that write where the
test can look (a scripted fake, or the file channel into the test's own directory)."""

from __future__ import annotations

import pytest

from bianmin.notifications.services import queue_message
from tests import factories
from tests.conftest import BAOCHENG
from tests.notifications.fakes import ScriptedChannel

PHONE = "13812345678"
MASKED = "138****5678"


def use_channels(settings, **channels: str) -> None:
    settings.BIANMIN = {
        **settings.BIANMIN,
        "NOTIFY_CHANNELS": {**settings.BIANMIN["NOTIFY_CHANNELS"], **channels},
    }


@pytest.fixture
def scripted(settings):
    """The SMS channel is the scripted fake; `scripted.script` lists each send's outcome."""
    ScriptedChannel.reset()
    use_channels(settings, sms="tests.notifications.fakes.ScriptedChannel")
    yield ScriptedChannel
    ScriptedChannel.reset()


@pytest.fixture
def outbox_dir(settings, tmp_path):
    """The file channel for SMS, writing into the test's directory."""
    use_channels(settings, sms="file")
    settings.BIANMIN = {**settings.BIANMIN, "NOTIFY_FILE_DIR": tmp_path}
    return tmp_path


@pytest.fixture
def resident(db):
    return factories.person(community=BAOCHENG, name="张伟", phone=PHONE)


ACCEPTED = "【便民服务】您申请的事项（编号BM20260929000123）已受理，承诺10个工作日内办结。"


def sms(resident, key: str = "case:BM20260929000123:1", body: str | None = None):
    return queue_message(
        dedupe_key=key,
        body=body or ACCEPTED,
        recipient_person=resident,
        subject="BM20260929000123",
        related_type="case",
        related_id="BM20260929000123",
    )
