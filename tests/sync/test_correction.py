"""需补正 on the kiosk's side, 代办 bookkeeping and 办件查询 by ID number: a correction request
arriving with a status update is stored; a resubmission is a new item with a new key, linked
to the case; it is refused unless the case needs correcting; materials and the ID digest are
stored at submit time. The platform's side: ``tests/integration/test_correction.py``."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from kiosk.crypto import EncryptionKeyPair, open_sealed
from kiosk.errors import ValidationError
from kiosk.masking import id_digest
from sync.outbox import (
    CorrectionNotAllowedError,
    CorrectionRequest,
    ItemState,
    MaterialInput,
    MaterialRecord,
    Outbox,
    UnknownItemError,
)

from .conftest import make_draft

OTHER_ID = "110105194912310021"
REQUEST = {"fields": ["reason"], "materials": ["m1"], "note_zh": "请补充户口簿首页复印件"}


def rows(outbox: Outbox, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(outbox.db.path) as conn:
        return conn.execute(sql, args).fetchall()


def delivered(outbox: Outbox, case_no: str = "520100-QR00107002-20261122-000001") -> str:
    key = outbox.submit_application(make_draft()).key
    outbox.mark_sending([key])
    outbox.mark_delivered(key, case_no, "submitted")
    return key


def ask_for_correction(outbox: Outbox, key: str, seq: int = 1, **extra: Any) -> list[str]:
    update = {"seq": seq, "idempotency_key": key, "state": "needs_correction",
              "reason": "材料不齐全，请补正", "correction": REQUEST, **extra}
    return outbox.apply_status_updates([update], seq)


def test_a_correction_request_arrives_with_its_status_update_and_is_stored(
        outbox: Outbox) -> None:
    key = delivered(outbox)
    assert ask_for_correction(outbox, key) == ["applied"]
    view = outbox.application(key)
    assert view is not None and view.state is ItemState.NEEDS_CORRECTION
    assert view.reason_zh == "材料不齐全，请补正"
    assert view.correction == CorrectionRequest(("reason",), ("m1",), "请补充户口簿首页复印件")
    # the same update again changes nothing; a new request for the same state is applied
    assert ask_for_correction(outbox, key) == ["unchanged"]
    changed = dict(REQUEST, fields=["reason", "n"])
    assert ask_for_correction(outbox, key, 2, correction=changed) == ["applied"]
    view = outbox.application(key)
    assert view is not None and view.correction is not None
    assert view.correction.fields == ("reason", "n")


def test_a_malformed_correction_request_does_not_stop_the_state_change(
        outbox: Outbox) -> None:
    key = delivered(outbox)
    assert ask_for_correction(outbox, key, correction={"fields": "reason"}) == ["applied"]
    view = outbox.application(key)
    assert view is not None and view.state is ItemState.NEEDS_CORRECTION
    assert view.correction is None


def test_a_resubmission_is_a_new_item_with_a_new_key_linked_to_the_case(
        outbox: Outbox, platform_keys: EncryptionKeyPair) -> None:
    key = delivered(outbox)
    ask_for_correction(outbox, key)
    original = outbox.application(key)
    assert original is not None and original.case_no
    receipt = outbox.submit_correction(original.case_no, make_draft(1), client_ref="fix-1")
    assert receipt.key != key and receipt.provisional_no != original.provisional_no
    assert receipt.supersedes == key and receipt.case_no == original.case_no
    # the wire form and the sealed document name the case
    [due] = outbox.due()
    item = json.loads(due.payload)
    assert item["idempotency_key"] == receipt.key
    assert item["supersedes"] == key and item["case_no"] == original.case_no
    sealed = json.loads(open_sealed(item["envelope"], platform_keys, aad=receipt.key.encode()))
    assert sealed["supersedes"] == key and sealed["case_no"] == original.case_no
    # both records are linked; the case keeps its state, with a note in its history
    view = outbox.lookup(receipt.provisional_no)
    assert view is not None and view.supersedes == key
    assert view.case_no == original.case_no  # shown from the case's first record
    assert view.state is ItemState.PENDING
    original = outbox.application(key)
    assert original is not None and original.superseded_by == (receipt.key,)
    assert original.state is ItemState.NEEDS_CORRECTION
    assert receipt.provisional_no in original.history[-1].reason_zh
    assert original.history[-1].from_state is original.history[-1].to_state
    # the same draft again returns the stored receipt
    again = outbox.submit_correction(key, make_draft(1), client_ref="fix-1")
    assert again.resubmitted and again.key == receipt.key
    # acknowledged with the case's number: nothing to link, the column stays unique
    outbox.mark_sending([receipt.key])
    outbox.mark_delivered(receipt.key, original.case_no, "submitted", "已收到补正材料")
    view = outbox.application(receipt.key)
    assert view is not None and view.state is ItemState.SUBMITTED
    assert view.case_no == original.case_no
    assert rows(outbox, "SELECT count(*) FROM applications WHERE case_no = ?",
                original.case_no) == [(1,)]


def test_a_resubmission_is_refused_unless_the_case_needs_correcting(outbox: Outbox) -> None:
    pending = outbox.submit_application(make_draft())
    with pytest.raises(CorrectionNotAllowedError) as err:
        outbox.submit_correction(pending.provisional_no, make_draft(1))
    assert err.value.user_message == "该办件当前状态为“待上报”，不需要补正"
    with pytest.raises(UnknownItemError):
        outbox.submit_correction("DEMO0001-20261122-999999-0", make_draft(1))

    key = delivered(outbox)
    with pytest.raises(CorrectionNotAllowedError, match="submitted"):
        outbox.submit_correction(key, make_draft(1))
    ask_for_correction(outbox, key)
    with pytest.raises(CorrectionNotAllowedError) as err:  # another service
        outbox.submit_correction(key, make_draft(1, service_code="QR00107003"))
    assert err.value.user_message == "补正材料须针对原办件的事项提交"
    with pytest.raises(CorrectionNotAllowedError) as err:  # another applicant
        outbox.submit_correction(key, make_draft(1, name="李四", id_number=OTHER_ID))
    assert "原申请人" in err.value.user_message
    first = outbox.submit_correction(key, make_draft(1))
    with pytest.raises(CorrectionNotAllowedError) as err:  # one on its way already
        outbox.submit_correction(first.provisional_no, make_draft(2))
    assert err.value.user_message == "该办件的补正材料已提交，请等待审核结果"
    # refused by the platform: a new correction may be made
    outbox.mark_sending([first.key])
    outbox.dead_letter(first.key, "政务服务平台拒收该申请", "rejected")
    second = outbox.submit_correction(first.provisional_no, make_draft(2))
    assert second.supersedes == key
    # the platform takes the case up and asks again later: a third one is allowed then
    outbox.mark_sending([second.key])
    outbox.mark_delivered(second.key, None, "submitted")
    outbox.apply_status_updates([{"seq": 5, "idempotency_key": key, "state": "submitted"}], 5)
    with pytest.raises(CorrectionNotAllowedError):
        outbox.submit_correction(key, make_draft(3))
    ask_for_correction(outbox, key, 6)
    assert outbox.submit_correction(key, make_draft(3)).supersedes == key
    assert rows(outbox, "SELECT count(*) FROM applications WHERE supersedes = ?",
                key) == [(3,)]


def test_materials_and_id_digest_are_stored_and_lookup_by_id_finds_only_that_person(
        outbox: Outbox) -> None:
    mine = outbox.submit_application(make_draft(
        materials=[MaterialInput("m1", "C", b"scan", name="户口簿首页复印件"),
                   MaterialInput("licence", "A", None, reference="LIC-1")]))
    other = outbox.submit_application(make_draft(1, name="李四", id_number=OTHER_ID))
    stored = rows(outbox, "SELECT materials, id_digest FROM applications WHERE key = ?",
                  mine.key)[0]
    assert json.loads(stored[0]) == [{"id": "m1", "name": "户口簿首页复印件", "trust": "C"},
                                     {"id": "licence", "name": "", "trust": "A"}]
    salt = bytes.fromhex(rows(outbox, "SELECT value FROM settings WHERE name = ?",
                              "id_digest_salt")[0][0])
    assert stored[1] == id_digest("11010519491231002X", salt) == outbox.id_digest(
        " 11010519491231002x ")
    [found] = outbox.lookup_by_id("11010519491231002X")
    assert found.key == mine.key
    assert found.materials == (MaterialRecord("m1", "户口簿首页复印件", "C"),
                               MaterialRecord("licence", "", "A"))
    assert [v.key for v in outbox.lookup_by_id(OTHER_ID)] == [other.key]
    assert outbox.lookup_by_id("110105194912310013") == []
    assert outbox.lookup_by_id("  ") == []


def test_the_salt_is_made_once_per_database(open_outbox: Any) -> None:
    first = open_outbox()
    digest = first.id_digest("11010519491231002X")
    first.close()
    assert open_outbox().id_digest("11010519491231002X") == digest


def test_a_digest_computed_ahead_spares_the_submission_its_scrypt(
        outbox: Outbox, monkeypatch: pytest.MonkeyPatch) -> None:
    ahead = outbox.id_digest("11010519491231002X")  # e.g. in the background after the card

    def no_scrypt(*_: Any) -> str:
        raise AssertionError("scrypt on the submit path")

    monkeypatch.setattr("sync.outbox.id_digest", no_scrypt)
    receipt = outbox.submit_application(make_draft(id_digest=ahead))
    monkeypatch.undo()
    assert [v.key for v in outbox.lookup_by_id("11010519491231002X")] == [receipt.key]
    with pytest.raises(ValidationError):
        outbox.submit_application(make_draft(id_digest="not a digest"))


def test_a_digest_asked_for_once_the_card_is_read_is_remembered_without_the_number(
        outbox: Outbox, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = id_digest

    def counting(id_number: str, salt: bytes) -> str:
        calls.append("scrypt")
        return real(id_number, salt)

    monkeypatch.setattr("sync.outbox.id_digest", counting)
    first = outbox.id_digest("11010519491231002X")  # in the background after the card read
    receipt = outbox.submit_application(make_draft())
    assert [v.key for v in outbox.lookup_by_id("11010519491231002x ")] == [receipt.key]
    assert calls == ["scrypt"] and outbox.id_digest("11010519491231002X") == first
    # what is remembered holds no clear ID number
    assert "11010519491231002X" not in repr(vars(outbox))
    for i in range(20):  # bounded: old entries are dropped
        outbox.id_digest(f"1101051949123100{i:02d}")
    outbox.id_digest("11010519491231002X")
    assert len(calls) == 22
