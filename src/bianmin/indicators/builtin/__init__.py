"""Indicators over the data of apps that existed before the library (registry, cases,
evaluation): declared here so those apps' files stay theirs. Newer apps declare their own in
`<app>/indicators.py`."""

from bianmin.indicators.builtin import cases, evaluation, programs, registry  # noqa: F401
