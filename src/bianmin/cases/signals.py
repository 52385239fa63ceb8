"""Signals other apps hang on, so the case code needs no knowledge of them.

`case_decided` is sent inside `decide()`'s transaction, after the decision is saved: a receiver
that raises rolls the decision back, so a certificate issued from an approved case exists
exactly when the approval does. Arguments: `case`, `actor`, `approved` (bool), `at` (datetime),
`result` (the approval's checked result fields, `cases.results`; empty for a denial).
"""

from __future__ import annotations

from django.dispatch import Signal

case_decided = Signal()
