"""An API client authenticated the way real clients are: `Authorization: Token <key>`."""

from __future__ import annotations

from rest_framework.test import APIClient

from bianmin.core.api import issue_token


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user=user)}")
    return client


def body(response) -> str:
    """The raw answer as text, to assert what it must never contain."""
    return response.content.decode()
