"""Every write to a case, by concern:

- `precheck`   预审 / 一次性告知 (pure: writes nothing)
- `intake`     一号 look-up, window / agent / online intake
- `bundles`    多证联办
- `acceptance` 受理, 容缺受理, 补正, 不予受理, resubmission, pledge fulfilment
- `pledges`    the 容缺 pledge and when it may stand in for missing materials
- `handling`   reviews (并联审批, AB岗), decision, delivery, closure, termination
- `deadlines`  due dates, 特别程序 pauses, 延期, the warning sweep
- `visits`, `absences`, `idempotency`; `common` holds the event + notification writer.
"""
