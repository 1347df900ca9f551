"""Nothing readable on disk (reliability T16 for the queue): known names, ID numbers, phone
numbers and an attachment marker never appear in the database, its WAL and SHM, the
attachment files, temp files or the log, in UTF-8, UTF-16-LE or GBK — while the platform can
open all of them with its private key."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.crypto import EncryptionKeyPair, open_attachment, open_sealed, unwrap_data_key
from kiosk.logsetup import configure_logging, shutdown_logging
from sync.outbox import Channel, Consent, MaterialInput, Outbox, Person

from .conftest import OpenOutbox, make_draft

NAMES = ["张三丰", "欧阳娜娜"]
ID_NUMBERS = ["11010519491231002X", "110105194912310021"]
PHONES = ["13812345678", "13998765432"]
MARKER = "MARKER-机密材料-7f3a9c"
SECRETS = NAMES + ID_NUMBERS + PHONES + [MARKER, "花果园大街1号"]
ENCODINGS = ["utf-8", "utf-16-le", "gbk"]


def needles() -> list[tuple[str, str, bytes]]:
    return [(s, enc, s.encode(enc)) for s in SECRETS for enc in ENCODINGS]


def scan(root: Path) -> list[str]:
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        hits += [f"{path.relative_to(root)}: {s!r} in {enc}"
                 for s, enc, needle in needles() if needle in data]
    return hits


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs"
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, sql.level
    configure_logging(path, "DEBUG", console=False)
    sql.setLevel(logging.INFO)  # every SQL statement and its parameters reach the log
    try:
        yield path
    finally:
        shutdown_logging()
        root.setLevel(levels[0])
        sql.setLevel(levels[1])


def test_the_scanner_finds_each_secret_in_each_encoding(tmp_path: Path) -> None:
    for enc in ENCODINGS:
        (tmp_path / f"control-{enc}").write_bytes(" ".join(SECRETS).encode(enc))
    hits = scan(tmp_path)
    for s, enc, _ in needles():
        assert f"control-{enc}: {s!r} in {enc}" in hits


def test_no_personal_data_is_readable_on_disk_yet_the_platform_can_read_it_all(
        tmp_path: Path, log_dir: Path, open_outbox: OpenOutbox,
        platform_keys: EncryptionKeyPair) -> None:
    scan_bytes = (f"{MARKER} 户口簿首页 {NAMES[0]} {ID_NUMBERS[0]}".encode() * 50
                  + MARKER.encode("utf-16-le") + MARKER.encode("gbk"))
    ob: Outbox = open_outbox()
    drafts = [
        make_draft(0, name=NAMES[0], id_number=ID_NUMBERS[0], phone=PHONES[0],
                   content=scan_bytes),
        # 代办: the agent is the first person, with a letter and both signatures
        make_draft(1, name=NAMES[1], id_number=ID_NUMBERS[1], phone=PHONES[1],
                   channel=Channel("assisted", staff_id="GY-0042", proxy_relationship="子女",
                                   agent=Person(NAMES[0], ID_NUMBERS[0], phone=PHONES[0]),
                                   authorisation_material_id="letter",
                                   agent_signature=f"{MARKER} {NAMES[0]}".encode()),
                   consent=Consent(personal_info=True, face=True),
                   face_status="pending_verification",
                   signature=f"{MARKER} {NAMES[1]}".encode(),
                   materials=[MaterialInput("m1", "B", scan_bytes),
                              MaterialInput("letter", "B", scan_bytes, name="授权委托书")],
                   entered_by={"备注": "staff:GY-0042"},
                   form={"联系人": NAMES[1], "联系电话": PHONES[1], "备注": MARKER}),
    ]
    got = [ob.submit_application(d, client_ref=f"draft-{i}") for i, d in enumerate(drafts)]
    ob.submit_application(drafts[0], client_ref="draft-0")  # a resubmission, logged too
    ob.enqueue_event("rating", {"provisional_no": got[0].provisional_no, "level": 5})
    logging.getLogger("test").info("submitted %s", [r.provisional_no for r in got])

    # while the queue is open: database, WAL, SHM, attachments, temp files, log
    assert Path(str(ob.db.path) + "-wal").exists()
    assert scan(tmp_path) == []

    # the platform side opens everything with its private key
    due = {d.key: d for d in ob.due()}
    for receipt, draft in zip(got, drafts, strict=True):
        item = json.loads(due[receipt.key].payload)
        aad = receipt.key.encode()
        sealed = json.loads(open_sealed(item["envelope"], platform_keys, aad=aad))
        assert sealed["applicant"]["name"] == draft.applicant.name
        assert sealed["applicant"]["id_number"] == draft.applicant.id_number
        assert sealed["applicant"]["phone"] == draft.applicant.phone
        data_key = unwrap_data_key(item["envelope"], platform_keys, aad=aad)
        for m in (m for m in item["meta"]["materials"] if m["attachment"]):
            assert open_attachment(ob.attachments.read(m["attachment"]), data_key) \
                == scan_bytes
    proxy_item = json.loads(due[got[1].key].payload)
    proxy_sealed = json.loads(open_sealed(proxy_item["envelope"], platform_keys,
                                          aad=got[1].key.encode()))
    assert proxy_sealed["agent"]["name"] == NAMES[0]
    assert proxy_sealed["agent"]["id_number"] == ID_NUMBERS[0]
    proxy_key = unwrap_data_key(proxy_item["envelope"], platform_keys, aad=got[1].key.encode())
    signed = {s["role"]: open_attachment(ob.attachments.read(s["attachment"]), proxy_key)
              for s in proxy_item["meta"]["signatures"]}
    assert signed == {"applicant": f"{MARKER} {NAMES[1]}".encode(),
                      "agent": f"{MARKER} {NAMES[0]}".encode()}
    # the readable columns: masked values, the flag, material names, a digest
    assert ob.lookup_by_id(ID_NUMBERS[1])[0].proxy

    # after delivery, purge, checkpoint and close
    ob.mark_sending([got[0].key])
    ob.mark_delivered(got[0].key, "C-1", "accepted", "予以受理")
    ob.close()
    assert (log_dir / "kiosk.log").stat().st_size > 1000  # SQL was logged: the scan means it
    assert scan(tmp_path) == []
    leftovers = [p for p in (tmp_path / "data" / "attachments").iterdir()
                 if p.name.endswith(".tmp")]
    assert leftovers == []
    assert sorted(os.listdir(tmp_path / "data" / "attachments")) \
        == sorted(got[1].attachments)
