from __future__ import annotations

import os
import subprocess
import sys


def _run_settings(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIANMIN_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import bianmin.settings as s; print(s.DEBUG, s.LANGUAGE_CODE)"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_secrets():
    result = _run_settings({"BIANMIN_ENV": "production"})
    assert result.returncode != 0
    assert "BIANMIN_SECRET_KEY" in result.stderr


def test_production_defaults_are_safe_when_secrets_given():
    result = _run_settings(
        {
            "BIANMIN_ENV": "production",
            "BIANMIN_SECRET_KEY": "x" * 50,
            "BIANMIN_FIELD_KEY": "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI=",
            "DATABASE_URL": "sqlite:////tmp/bianmin-settings-test.sqlite3",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "zh-hans"]
