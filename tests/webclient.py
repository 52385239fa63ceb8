"""Helpers for page tests: a client signed in as a user, and the rows of an Excel answer."""

from __future__ import annotations

import io

from django.test import Client
from openpyxl import load_workbook

from bianmin.core.excel import XLSX_CONTENT_TYPE


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def xlsx_rows(response) -> list[tuple]:
    """The rows (note line, header, data) of an export download."""
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content), read_only=True).active
    return list(ws.iter_rows(values_only=True))
