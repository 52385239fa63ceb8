"""The shape of a service item as the services take it: which fields a revision may change,
and the defaults of an item, a material and a process step."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bianmin.catalog.models import (
    AcceptLevel,
    ApplicantKind,
    MaterialForm,
    MaterialRequirement,
    StepKind,
)

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
MATERIAL_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

# Scalar fields of an item a revision may change (code and version are not among them).
ITEM_FIELDS = (
    "name",
    "item_type",
    "applicant_kind",
    "legal_basis",
    "department",
    "accept_levels",
    "statutory_limit_days",
    "promised_limit_days",
    "fee",
    "fee_basis",
    "online",
    "max_visits",
    "allows_deficiency",
    "conditions",
    "place",
    "hours",
    "consult_phone",
    "complaint_phone",
    "result_name",
    "result_certificate_type",
    "eligible_min_age",
)
EDITABLE = (*ITEM_FIELDS, "eligible_tags")
DEFAULTS: dict[str, Any] = {
    "applicant_kind": ApplicantKind.PERSON,
    "accept_levels": [],
    "fee": Decimal("0"),
    "fee_basis": "",
    "online": False,
    "max_visits": 1,
    "allows_deficiency": False,
    "conditions": "",
    "place": "",
    "hours": "",
    "consult_phone": "",
    "complaint_phone": "",
    "result_name": "",
    "result_certificate_type": "",
    "eligible_min_age": None,
    "eligible_tags": [],
}
MATERIAL_DEFAULTS: dict[str, Any] = {
    "code": "",
    "name": "",
    "form": MaterialForm.ORIGINAL,
    "copies": 1,
    "requirement": MaterialRequirement.MANDATORY,
    "condition": "",
    "essential": True,
    "source_note": "",
    "sample": "",
    "common_mistakes": "",
    "shared_source": "",
}
STEP_DEFAULTS: dict[str, Any] = {
    "name": "",
    "kind": StepKind.REVIEW,
    "department": "",
    "parallel_group": 1,
    "limit_days": 0,
}
LEVEL_ORDER = [level.value for level in AcceptLevel]
