from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction, AuditChainHead, AuditEntry


def _three_entries(actor):
    for i in range(3):
        audit.record(
            actor, AuditAction.READ, object_type="person", object_id=i, object_label=f"张三 {i}"
        )


@pytest.mark.django_db
class TestChain:
    def test_entries_are_chained_and_verify(self, system_actor):
        _three_entries(system_actor)
        entries = list(AuditEntry.objects.order_by("pk"))
        assert entries[0].prev_hash == audit.GENESIS
        assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
        report = audit.verify_chain()
        assert report.ok and report.checked == 3
        call_command("audit", "verify")

    def test_model_refuses_update_and_delete(self, system_actor):
        _three_entries(system_actor)
        entry = AuditEntry.objects.first()
        entry.purpose = "tampered"
        with pytest.raises(RuntimeError):
            entry.save()
        with pytest.raises(RuntimeError):
            entry.delete()

    def test_database_refuses_update_and_delete(self, system_actor):
        # Given entries, when someone bypasses the model with SQL, then the trigger refuses.
        _three_entries(system_actor)
        for sql in (
            "UPDATE core_auditentry SET purpose = 'x'",
            "DELETE FROM core_auditentry",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
                c.execute(sql)
        assert AuditEntry.objects.count() == 3

    def test_tampering_is_detected(self, system_actor):
        _three_entries(system_actor)
        # Given an attacker who drops the triggers and edits an entry in place
        with connection.cursor() as c:
            if connection.vendor == "postgresql":
                c.execute("SET session_replication_role = replica")  # triggers off
                c.execute("UPDATE core_auditentry SET object_label = '李四' WHERE id = 2")
                c.execute("SET session_replication_role = origin")
            else:
                c.execute("DROP TRIGGER core_auditentry_no_update")
                c.execute("UPDATE core_auditentry SET object_label = '李四' WHERE id = 2")
        report = audit.verify_chain()
        assert not report.ok and report.broken_at == 2
        with pytest.raises(CommandError, match="2"):
            call_command("audit", "verify")

    def test_no_id_or_phone_in_clear(self, system_actor):
        entry = audit.record(
            system_actor.with_purpose("核对 11010519491231002X 的电话 13812345678"),
            AuditAction.UPDATE,
            object_type="person",
            object_id=1,
            object_label="王五 11010519491231002X",
            changes={"note": "phone 13812345678"},
        )
        blob = f"{entry.purpose} {entry.object_label} {entry.changes}"
        assert "11010519491231002X" not in blob and "13812345678" not in blob
        assert "110105********002X" in entry.object_label

    def test_failed_change_leaves_no_entry(self, system_actor):
        # The entry belongs to the change's transaction: roll one back, lose the other.
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            audit.record(system_actor, AuditAction.CREATE, object_type="person", object_id=9)
            1 / 0  # noqa: B018
        assert AuditEntry.objects.count() == 0
        audit.record(Actor(name="next"), AuditAction.READ, object_type="person", object_id=9)
        assert audit.verify_chain().ok


def _commit_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db
class TestAppend:
    def test_head_and_returned_entry_are_what_is_stored(self):
        actor = Actor(name="窗口一", org_unit_code="T420102", ip="10.1.2.3", purpose="受理申请")
        for action in (AuditAction.READ, AuditAction.UPDATE):
            entry = audit.record(
                actor, action, object_type="person", object_id=7, changes={"材料": ["户口簿", 2]}
            )
            stored = AuditEntry.objects.get(pk=entry.pk)
            assert (stored.entry_hash, stored.prev_hash, stored.changes, stored.ip) == (
                entry.entry_hash,
                entry.prev_hash,
                {"材料": ["户口簿", 2]},
                "10.1.2.3",
            )
            head = AuditChainHead.objects.get(pk=1)
            assert (head.last_id, head.last_hash) == (entry.pk, entry.entry_hash)
        assert audit.verify_chain().checked == 2

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit modes")
    def test_a_lazy_append_changes_only_its_own_transactions_commit_mode(self, system_actor):
        # (Which appends are lazy — a lone read — is test_api's commits_lazily test.)
        audit.record(system_actor, AuditAction.READ, object_type="person", object_id=1)
        with transaction.atomic():
            entry = AuditEntry(at=timezone.now(), action=AuditAction.READ, object_type="person")
            audit._append(entry, lazy=False)
            assert _commit_mode() == "on"
        entry = AuditEntry(at=timezone.now(), action=AuditAction.READ, object_type="person")
        audit._append(entry, lazy=True)
        assert entry.pk == 3
        assert _commit_mode() == "off"  # SET LOCAL: until this (the test's) transaction ends

    def test_the_digest_is_the_json_list_of_place_and_entry(self, system_actor):
        # Entries written before the server computed hashes verify with the same formula.
        entry = audit.record(
            system_actor.with_purpose("受理申请"),
            AuditAction.READ,
            object_type="person",
            object_id=5,
            object_label="王五",
            changes={"b": 1, "a": ["户口簿"]},
        )
        stored = AuditEntry.objects.get(pk=entry.pk)
        text = json.dumps(
            [
                audit.GENESIS,
                1,
                stored.at.isoformat(),
                None,
                "pytest",
                "",
                "read",
                "person",
                "5",
                "王五",
                "受理申请",
                {"a": ["户口簿"], "b": 1},
                None,
            ],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        assert stored.entry_hash == hashlib.sha256(text.encode()).hexdigest()

    def test_the_first_entry_creates_the_head(self, system_actor):
        AuditChainHead.objects.all().delete()
        audit.record(system_actor, AuditAction.READ, object_type="person", object_id=1)
        assert AuditChainHead.objects.get(pk=1).last_id == 1
        assert audit.verify_chain().ok


@pytest.mark.django_db
class TestAppendedLast:
    def test_entries_join_the_chain_after_the_blocks_writes(self, system_actor):
        with transaction.atomic(), audit.appended_last():
            entry = audit.record(system_actor, AuditAction.READ, object_type="person")
            assert entry.pk is None and not AuditEntry.objects.exists()
            with audit.appended_last():  # nested: joins the outer block
                audit.record(system_actor, AuditAction.UPDATE, object_type="person")
            assert not AuditEntry.objects.exists()
        assert entry.pk == 1
        assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
            "read",
            "update",
        ]
        assert audit.verify_chain().checked == 2

    def test_an_error_in_the_block_discards_its_entries(self, system_actor):
        with pytest.raises(ZeroDivisionError), transaction.atomic(), audit.appended_last():
            audit.record(system_actor, AuditAction.READ, object_type="person")
            1 / 0  # noqa: B018
        assert not AuditEntry.objects.exists()
        audit.record(system_actor, AuditAction.READ, object_type="person")
        assert audit.verify_chain().checked == 1


@pytest.mark.django_db(transaction=True)
def test_appended_last_needs_the_callers_transaction():
    with pytest.raises(TransactionManagementError), audit.appended_last():
        pass
