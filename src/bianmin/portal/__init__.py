"""The residents' and enterprises' online hall (网上办事大厅, 一网通办) under /portal/.

- Identity (`identity.py`): an `IdentityProvider` answers "which Person of the 人口库 is this?".
  Today `PhonePasswordProvider`: registration matches ID number (keyed hash), name and the
  registered mobile, with one generic answer for any mismatch and attempts limited per IP and
  phone (`core/ratelimit.py`, Django's cache), then opens the account only when the SMS code
  sent to that mobile comes back (`verification.py`); sign-in is phone + password. A unified
  identity platform (统一身份认证) replaces it through `BIANMIN["RESIDENT_IDENTITY_PROVIDER"]`; the
  local `ResidentAccount` is then opened on the first sign-in.
- Ownership (`access.py`): residents have no Staff profile, so the staff scope denies them all
  scoped rows. Every portal read goes through `own_person / own_cases / own_case / own_upload /
  own_complaints` (the `.unscoped` managers filtered by the signed-in person); anything else is
  404. Writes go through the case and evaluation services, which check the applicant again.
- Applying (`services/applications.py`): uploads checked by content (PDF/JPEG/PNG, ≤ 5 MB),
  stored under MEDIA_ROOT with random names and served only through owner-checked (resident)
  or scope-checked and audited (staff) views; the application goes to
  `cases.services.intake.submit_online` once per form token (the cases idempotency record).
- Progress (`progress.py`): status in plain words, the five stages, the history naming offices,
  never staff members; messages are the account's in-app items plus the SMS texts sent to the
  person's registered mobile (window cases get no in-app copy).
- Who read my data (`queries.access_log`): reads, reveals and changes of the person's record and
  reads of their case files, shown with the unit and the role of the reader — not the name, as
  the national practice shows the responsible unit; the resident can complain about the unit.
"""
