"""Submitting applications and events: one transaction, the exact platform item, sealed
personal data, unique numbers, idempotent re-submission, keys never reused."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.crypto import (
    EncryptionKeyPair,
    canonical_json,
    open_attachment,
    open_sealed,
    sha256_hex,
    unwrap_data_key,
)
from kiosk.errors import ValidationError
from sync import outbox as outbox_module
from sync import receipts
from sync.outbox import (
    ApplicationDraft,
    Channel,
    Consent,
    ItemState,
    KeyReuseError,
    MaterialInput,
    Outbox,
    Person,
    StateChange,
)

from .conftest import FakeClock, OpenOutbox, make_draft

ITEM_KEYS = {"idempotency_key", "provisional_no", "service_code", "catalogue_version",
             "created_at", "channel", "attachments", "envelope", "meta"}
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_submit_stores_application_outbox_row_attachments_and_history_together(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    receipt = outbox.submit_application(draft(scans=2))
    db = outbox.db.path
    assert rows(db, "SELECT key, kind, state FROM outbox") == [
        (receipt.key, "application", "pending")]
    assert rows(db, "SELECT provisional_no, state, masked_name, masked_id FROM applications") \
        == [(receipt.provisional_no, "pending", "张**", "110***********002X")]
    assert len(rows(db, "SELECT * FROM attachments")) == 2
    [entry] = outbox.history(receipt.key)
    assert (entry.from_state, entry.to_state, entry.label) == (None, ItemState.PENDING, "待上报")
    assert receipt.state_label == "待上报" and not receipt.resubmitted
    assert UUID4.fullmatch(receipt.key)


def test_a_failure_inside_the_transaction_leaves_no_row_no_file_and_no_sequence_gap(
        outbox: Outbox, draft: Callable[..., ApplicationDraft],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any) -> str:
        raise RuntimeError("injected failure after the counter moved")

    monkeypatch.setattr(outbox_module.receipts, "format_number", boom)
    with pytest.raises(RuntimeError):
        outbox.submit_application(draft())
    monkeypatch.undo()
    db = outbox.db.path
    assert rows(db, "SELECT count(*) FROM outbox") == [(0,)]
    assert rows(db, "SELECT count(*) FROM applications") == [(0,)]
    assert list(outbox.attachments.dir.iterdir()) == []
    assert outbox.submit_application(draft()).provisional_no == receipts.format_number(
        "DEMO0001", "20261122", 1)


def test_payload_is_the_platform_item_and_only_the_platform_can_open_it(
        outbox: Outbox, platform_keys: EncryptionKeyPair) -> None:
    scan = b"%PDF-1.7 scan of a residence booklet " + bytes(range(256)) * 10
    d = make_draft(content=scan, signature=b"\x89PNG signature")
    receipt = outbox.submit_application(d)
    [due] = outbox.due()
    item = json.loads(due.payload)
    assert set(item) == ITEM_KEYS
    assert canonical_json(item) == due.payload  # stored canonical, sent as is
    assert due.payload_sha256 == sha256_hex(due.payload)
    assert item["idempotency_key"] == receipt.key
    assert item["provisional_no"] == receipt.provisional_no
    assert receipts.is_valid(item["provisional_no"])
    assert item["service_code"] == "QR00107002" and item["catalogue_version"] == "2026.11.1"
    assert item["created_at"] == "2026-11-22T12:00:00+08:00"
    assert item["channel"] == {"kind": "self_service"}
    assert item["meta"] == {
        "masked_name": "张**", "masked_id": "110***********002X", "face": "not_required",
        "materials": [
            {"material_id": "m1", "trust_level": "C", "attachment": receipt.attachments[0]},
            {"material_id": "licence", "trust_level": "A", "attachment": None}],
        "signatures": [{"role": "applicant", "attachment": receipt.attachments[1]}]}
    assert item["attachments"] == list(receipt.attachments) == list(due.pending_attachments)

    aad = receipt.key.encode()
    sealed = json.loads(open_sealed(item["envelope"], platform_keys, aad=aad))
    assert sealed["applicant"]["name"] == "张三丰"
    assert sealed["applicant"]["id_number"] == "11010519491231002X"
    assert sealed["applicant"]["phone"] == "13812345678"
    assert sealed["form"]["contact_phone"] == "13812345678"
    assert [m["material_id"] for m in sealed["materials"]] == ["m1", "licence"]
    assert sealed["materials"][1]["reference"] == "LIC-0"
    assert sealed["signatures"] == [{"role": "applicant", "media_type": "image/png"}]
    data_key = unwrap_data_key(item["envelope"], platform_keys, aad=aad)
    blob = outbox.attachments.read(receipt.attachments[0])
    assert sha256_hex(blob) == receipt.attachments[0]
    assert open_attachment(blob, data_key) == scan
    signature = outbox.attachments.read(receipt.attachments[1])
    assert open_attachment(signature, data_key) == b"\x89PNG signature"


def test_retries_resend_identical_bytes(outbox: Outbox, clock: FakeClock,
                                        draft: Callable[..., ApplicationDraft]) -> None:
    outbox.submit_application(draft())
    first = outbox.due()[0]
    for attempt in range(3):
        outbox.mark_sending([first.key])
        outbox.schedule_retry(first.key, clock.now + 10, f"timeout {attempt}")
        clock.advance(11)
        again = outbox.due()[0]
        assert (again.payload, again.payload_sha256) == (first.payload, first.payload_sha256)
        assert again.attempts == attempt + 1


def test_provisional_numbers_follow_a_daily_sequence_and_never_repeat(
        outbox: Outbox, clock: FakeClock, draft: Callable[..., ApplicationDraft]) -> None:
    def seq(number: str) -> tuple[str, int]:
        parsed = receipts.parse(number)
        assert parsed is not None
        return parsed.day, parsed.sequence

    first_day = [seq(outbox.submit_application(draft(i)).provisional_no) for i in range(3)]
    assert first_day == [("20261122", 1), ("20261122", 2), ("20261122", 3)]
    clock.advance(86_400)
    assert seq(outbox.submit_application(draft()).provisional_no) == ("20261123", 1)
    clock.advance(-86_400 - 3600)  # the RTC goes back to the first day
    assert seq(outbox.submit_application(draft()).provisional_no) == ("20261122", 4)
    numbers = [r[0] for r in rows(outbox.db.path, "SELECT provisional_no FROM applications")]
    assert len(set(numbers)) == 5


def test_resubmitting_the_same_draft_returns_the_stored_receipt(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    first = outbox.submit_application(draft(scans=2), client_ref="draft-42")
    files = sorted(outbox.attachments.dir.iterdir())
    again = outbox.submit_application(draft(scans=2), client_ref="draft-42")
    assert again.resubmitted and not first.resubmitted
    assert (again.key, again.provisional_no, again.attachments) == (
        first.key, first.provisional_no, first.attachments)
    assert sorted(outbox.attachments.dir.iterdir()) == files
    assert rows(outbox.db.path, "SELECT count(*) FROM outbox") == [(1,)]
    other = outbox.submit_application(draft(scans=2), client_ref="draft-43")
    assert other.key != first.key


@pytest.mark.parametrize(("change", "field"), [
    ({"service_code": "QR0010700"}, "service_code"),
    ({"service_code": "QR0010700\u0662"}, "service_code"),
    ({"consent": Consent(personal_info=False)}, "consent"),
    ({"channel": Channel(kind="assisted")}, "channel"),
    ({"channel": Channel(agent=Person("李四", "110105194912310021"))}, "channel"),
    ({"materials": [MaterialInput("m1", "E", b"x")]}, "materials"),
    ({"materials": [MaterialInput("m1", "D")]}, "consent"),
    ({"face_status": "pending_verification"}, "consent"),
    ({"form": {"when": object()}}, "form"),
    ({"applicant": Person("", "")}, "applicant"),
])
def test_invalid_drafts_are_refused_before_anything_is_written(
        outbox: Outbox, change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        outbox.submit_application(make_draft(**change))
    assert err.value.field == field
    assert err.value.user_message  # Chinese, for the screen
    assert rows(outbox.db.path, "SELECT count(*) FROM outbox") == [(0,)]
    assert list(outbox.attachments.dir.iterdir()) == []


def test_assisted_proxy_application_carries_staff_and_relationship_but_seals_the_agent(
        outbox: Outbox, platform_keys: EncryptionKeyPair) -> None:
    agent = Person("欧阳娜娜", "110105194912310021", phone="13900001111")
    d = make_draft(channel=Channel("assisted", staff_id="GY-0042", proxy_relationship="子女",
                                   agent=agent, authorisation_material_id="letter",
                                   agent_signature=b"agent signature"),
                   consent=Consent(personal_info=True, face=True, commitment=True),
                   face_status="pending_verification", signature=b"principal signature",
                   materials=[("m1", "B", b"scan"), ("m9", "D", None),
                              ("letter", "B", b"letter scan")],
                   entered_by={"reason": "staff:GY-0042", "contact_phone": "citizen"})
    receipt = outbox.submit_application(d)
    item = json.loads(outbox.due()[0].payload)
    assert item["channel"] == {"kind": "assisted", "staff_id": "GY-0042",
                               "proxy": {"relationship": "子女",
                                         "authorisation_material": "letter"}}
    assert item["meta"]["face"] == "pending_verification"
    assert [s["role"] for s in item["meta"]["signatures"]] == ["applicant", "agent"]
    assert len(item["attachments"]) == 4  # two scans, two signatures
    assert "欧阳" not in due_text(item)
    sealed = json.loads(open_sealed(item["envelope"], platform_keys, aad=receipt.key.encode()))
    assert sealed["agent"]["name"] == "欧阳娜娜"
    assert sealed["proxy"] == {"relationship": "子女", "authorisation_material_id": "letter"}
    assert sealed["entered_by"] == {"reason": "staff:GY-0042", "contact_phone": "citizen"}
    view = outbox.lookup(receipt.provisional_no)
    assert view is not None and view.channel_kind == "assisted" and view.proxy


@pytest.mark.parametrize(("channel", "extra", "field"), [
    # an agent without the authorisation letter among the materials
    (Channel(proxy_relationship="子女", agent=Person("李四", "110105194912310021"),
             authorisation_material_id="letter", agent_signature=b"sig"), {}, "materials"),
    # an agent without the agent's signature
    (Channel(proxy_relationship="子女", agent=Person("李四", "110105194912310021"),
             authorisation_material_id="m1"), {}, "signature"),
    # a letter without an agent
    (Channel(authorisation_material_id="m1"), {}, "channel"),
    # hand-off attribution that is neither the citizen nor a staff id
    (Channel(), {"entered_by": {"reason": "somebody"}}, "entered_by"),
])
def test_incomplete_proxy_and_bad_attribution_are_refused(
        outbox: Outbox, channel: Channel, extra: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        outbox.submit_application(make_draft(channel=channel, **extra))
    assert err.value.field == field and err.value.user_message
    assert rows(outbox.db.path, "SELECT count(*) FROM outbox") == [(0,)]


def due_text(item: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in item.items() if k != "envelope"}, ensure_ascii=False)


def test_an_existing_key_is_never_overwritten(outbox: Outbox) -> None:
    key = str(uuid.uuid4())
    assert outbox.enqueue_event("rating", {"level": 5, "provisional_no": "X"}, key=key) == key
    stored = outbox.due()[0].payload
    # the same event again is idempotent
    assert outbox.enqueue_event("rating", {"provisional_no": "X", "level": 5}, key=key) == key
    with pytest.raises(KeyReuseError):
        outbox.enqueue_event("rating", {"level": 1, "provisional_no": "X"}, key=key)
    with pytest.raises(KeyReuseError):
        outbox.enqueue_event("audit", {"level": 5, "provisional_no": "X"}, key=key)
    [due] = outbox.due()
    assert due.payload == stored
    # and the database itself refuses to rewrite a payload or a key
    with sqlite3.connect(outbox.db.path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="write-once"):
            conn.execute("UPDATE outbox SET payload = x'00' WHERE key = ?", (key,))
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            conn.execute("UPDATE outbox SET key = ? WHERE key = ?", (str(uuid.uuid4()), key))


def test_events_travel_as_the_events_item_of_the_platform_api(outbox: Outbox) -> None:
    key = outbox.enqueue_event("heartbeat", {"queue_depth": {"pending": 0}, "version": "0.1"})
    [due] = outbox.due()
    assert json.loads(due.payload) == {
        "idempotency_key": key, "kind": "heartbeat", "created_at": "2026-11-22T12:00:00+08:00",
        "body": {"queue_depth": {"pending": 0}, "version": "0.1"}}
    assert due.pending_attachments == () and due.provisional_no is None
    with pytest.raises(ValidationError):
        outbox.enqueue_event("application", {})
    with pytest.raises(ValidationError):
        outbox.enqueue_event("rating", {}, key="NOT-A-UUID")
    with pytest.raises(ValidationError):
        outbox.enqueue_event("audit", {"blob": object()})


def test_threads_submitting_at_once_get_unique_keys_and_numbers(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    receipts_seen: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def producer(n: int) -> None:
        try:
            for i in range(8):
                r = outbox.submit_application(draft(i), client_ref=f"t{n}-{i}")
                with lock:
                    receipts_seen.append(r.provisional_no)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    def reader() -> None:
        try:
            for _ in range(20):
                outbox.due(limit=100)
                outbox.stats()
        except BaseException as err:  # pragma: no cover
            errors.append(err)

    threads = [threading.Thread(target=producer, args=(n,)) for n in range(4)]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(receipts_seen) == len(set(receipts_seen)) == 32
    assert rows(outbox.db.path, "SELECT count(DISTINCT key) FROM outbox") == [(32,)]


def test_listeners_hear_each_committed_state_change(
        outbox: Outbox, draft: Callable[..., ApplicationDraft]) -> None:
    heard: list[StateChange] = []
    outbox.add_listener(heard.append)
    receipt = outbox.submit_application(draft())
    outbox.mark_sending([receipt.key])
    outbox.mark_delivered(receipt.key, "C-1")
    assert [c.state for c in heard] == [ItemState.PENDING, ItemState.SENDING,
                                        ItemState.SUBMITTED]
    assert heard[0].provisional_no == receipt.provisional_no
    outbox.remove_listener(heard.append)


def test_open_refuses_a_bad_kiosk_code_or_platform_key(open_outbox: OpenOutbox) -> None:
    from kiosk.errors import ConfigError

    with pytest.raises(ConfigError):
        open_outbox(kiosk_code="demo-1")
    with pytest.raises(ConfigError):
        open_outbox(platform_encryption_key="bm90IGEga2V5")
