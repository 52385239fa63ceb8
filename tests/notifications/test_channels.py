"""The built-in channels: the HTTP SMS adapter against a real local HTTP server, the console
channel's log line, and channel selection by settings."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bianmin.notifications.channels import (
    ConsoleChannel,
    FileChannel,
    HttpSmsChannel,
    InAppChannel,
    PermanentFailure,
    TemporaryFailure,
    channel_for,
)
from bianmin.notifications.delivery import deliver_due
from bianmin.notifications.models import OutboxStatus
from tests.notifications.conftest import MASKED, PHONE, sms, use_channels
from tests.notifications.fakes import ScriptedChannel

pytestmark = pytest.mark.django_db


class Gateway(BaseHTTPRequestHandler):
    """A stand-in SMS gateway: answers the status the test sets, records what it was sent."""

    status = 200
    delay = 0.0
    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            {"headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
        )
        if Gateway.delay:
            time.sleep(Gateway.delay)
        body = b'{"code":"OK"}' if Gateway.status < 400 else b'{"error":"bad 13812345678"}'
        self.send_response(Gateway.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def gateway():
    Gateway.status, Gateway.delay, Gateway.received = 200, 0.0, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    server.shutdown()
    server.server_close()


def http_channel(url: str, timeout: float = 5) -> HttpSmsChannel:
    return HttpSmsChannel({"URL": url, "KEY": "k-123", "SIGN": "武汉便民", "TIMEOUT": timeout})


def test_http_sms_200_is_sent_with_key_and_idempotency(resident, gateway):
    message = sms(resident)
    http_channel(gateway).send(message)
    (request,) = Gateway.received
    assert request["body"] == {
        "to": PHONE,
        "sign": "武汉便民",
        "text": message.body,
        "ref": message.dedupe_key,
    }
    assert request["headers"]["Authorization"] == "Bearer k-123"
    assert request["headers"]["Idempotency-Key"] == message.dedupe_key


@pytest.mark.parametrize(
    "status, failure",
    [
        (500, TemporaryFailure),
        (503, TemporaryFailure),
        (429, TemporaryFailure),
        (400, PermanentFailure),
        (403, PermanentFailure),
    ],
)
def test_http_sms_errors_are_temporary_or_permanent(resident, gateway, status, failure):
    Gateway.status = status
    with pytest.raises(failure) as raised:
        http_channel(gateway).send(sms(resident))
    # The gateway's answer is kept for the administrator, without the phone number
    assert str(status) in str(raised.value) and PHONE not in str(raised.value)


def test_http_sms_timeout_and_refused_connection_are_temporary(resident, gateway):
    Gateway.delay = 1.0
    with pytest.raises(TemporaryFailure, match="不可达"):
        http_channel(gateway, timeout=0.2).send(sms(resident))
    with pytest.raises(TemporaryFailure, match="不可达"):
        http_channel("http://127.0.0.1:9/sms", timeout=1).send(sms(resident, key="k2"))


def test_http_sms_through_the_deliverer(resident, gateway, settings):
    settings.BIANMIN = {
        **settings.BIANMIN,
        "NOTIFY_CHANNELS": {"sms": "http_sms", "in_app": "in_app"},
        "SMS_HTTP": {"URL": gateway, "KEY": "k", "TIMEOUT": 5},
    }
    ok, refused, down = sms(resident, key="a"), sms(resident, key="b"), sms(resident, key="c")
    for status in (200, 400, 500):  # the messages go out oldest first
        Gateway.status = status
        report = deliver_due(limit=1)
        assert report.claimed == 1
    statuses = [m.status for m in (ok, refused, down) if not m.refresh_from_db()]
    assert statuses == [OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.PENDING]
    assert len(Gateway.received) == 3


def test_http_sms_needs_a_url():
    with pytest.raises(ValueError, match="SMS_HTTP"):
        HttpSmsChannel({"URL": "ftp://gateway"})


def test_console_channel_logs_a_masked_line(resident, caplog):
    message = sms(resident, body="【便民服务】回电13900001111查询进度")
    with caplog.at_level(logging.INFO, logger="bianmin.notifications.channels"):
        ConsoleChannel().send(message)
    (record,) = caplog.records
    text = record.getMessage()
    assert MASKED in text and "139****1111" in text
    assert PHONE not in text and "13900001111" not in text


def test_file_channel_appends_one_line_per_message(resident, tmp_path):
    channel = FileChannel(tmp_path)
    channel.send(sms(resident, key="a"))
    channel.send(sms(resident, key="b"))
    lines = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == [MASKED, MASKED]


def test_channels_are_chosen_by_settings(settings):
    use_channels(settings, sms="file", in_app="in_app")
    assert isinstance(channel_for("sms"), FileChannel)
    assert isinstance(channel_for("in_app"), InAppChannel)
    use_channels(settings, sms="console")
    assert isinstance(channel_for("sms"), ConsoleChannel)
    use_channels(settings, sms="tests.notifications.fakes.ScriptedChannel")
    assert isinstance(channel_for("sms"), ScriptedChannel)
