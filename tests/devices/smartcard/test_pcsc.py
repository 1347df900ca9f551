"""PC/SC specifics through a real pcscd + vsmartcard-vpcd: discovery, error mapping,
registry, the APDU trace, and the diag tool."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from smartcard import scard
from smartcard.Exceptions import CardConnectionException, NoCardException
from smartcard.pcsc.PCSCExceptions import EstablishContextException

from devices import registry
from devices.smartcard import diag
from devices.smartcard.base import CardRemovedError, NoCardError
from devices.smartcard.pcsc import PcscCardReader, list_readers, map_error
from devices.smartcard.simulated import (
    SimulatedForeignCard,
    SimulatedSmartCardReader,
    SimulatedSocialSecurityCard,
    SimulatedStaffCard,
)
from kiosk.crypto import b64e
from kiosk.errors import DeviceOperationError, DeviceUnavailableError
from tests.devices.smartcard.conftest import VPCD_READER, Pcscd, Rig


def test_discovery_finds_the_virtual_reader_by_name_prefix_or_substring(pcscd: Pcscd) -> None:
    names = list_readers()
    assert VPCD_READER in names and "Virtual PCD 00 01" in names
    for option, expected in (("", names[0]), (VPCD_READER, VPCD_READER),
                             ("Virtual PCD", "Virtual PCD 00 00"),
                             ("virtual pcd 00 01", "Virtual PCD 00 01")):
        with PcscCardReader(option) as reader:
            assert reader.location() == expected
            assert str(reader) == f"社保卡读卡器 {expected}"
            assert reader.describe()["readers"] == names


def test_a_missing_reader_is_unavailable_with_a_chinese_message(pcscd: Pcscd) -> None:
    reader = PcscCardReader("ACS ACR39U")
    with pytest.raises(DeviceUnavailableError) as info:
        reader.open()
    assert "not found" in info.value.detail and "Virtual PCD 00 00" in info.value.detail
    assert info.value.user_message == "读卡器未连接或不可用，请联系工作人员"
    result = reader.self_test()
    assert not result.ok and "无法打开" in result.summary_zh


def test_pyscard_errors_map_onto_our_tree() -> None:
    assert isinstance(map_error(NoCardException("x", hresult=scard.SCARD_E_NO_SMARTCARD),
                                "connect"), NoCardError)
    gone = map_error(CardConnectionException("x", hresult=scard.SCARD_W_REMOVED_CARD),
                     "transmit")
    assert isinstance(gone, CardRemovedError) and isinstance(gone, DeviceOperationError)
    assert gone.user_message.startswith("请勿在读卡时拔出卡片")
    for hr in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_READER_UNAVAILABLE,
               scard.SCARD_E_UNKNOWN_READER):
        err = map_error(CardConnectionException("x", hresult=hr), "transmit")
        assert isinstance(err, DeviceUnavailableError), hex(hr)
    assert isinstance(map_error(EstablishContextException(scard.SCARD_E_NO_SERVICE),
                                "list readers"), DeviceUnavailableError)
    mute = map_error(CardConnectionException("x", hresult=scard.SCARD_W_UNRESPONSIVE_CARD),
                     "connect")
    assert type(mute) is DeviceOperationError and "芯片朝上" in mute.user_message


def test_registry_builds_both_backends(pcscd: Pcscd) -> None:
    reader = registry.create("smartcard", "pcsc", reader="Virtual PCD")
    assert isinstance(reader, PcscCardReader)
    with reader:
        assert reader.location() == VPCD_READER
    demo = registry.create("smartcard", "simulated", card="social_security")
    assert isinstance(demo, SimulatedSmartCardReader) and demo.card_atr() is not None
    demo.close()


def test_the_read_goes_through_pcscd(pcsc_rig: Rig, pcscd: Pcscd) -> None:
    pcsc_rig.insert(SimulatedSocialSecurityCard())
    pcsc_rig.reader.read_social_security_card()
    if pcscd.log is not None:  # pcscd started by the fixture logs every APDU
        assert "APDU: 00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF" \
            in pcscd.log_text()


# -- diag ----------------------------------------------------------------------------------

def run_diag(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = diag.run(["--reader", VPCD_READER, "--wait", "3", *argv], out=out)
    return code, out.getvalue()


def test_diag_masks_a_social_security_card_by_default(pcsc_rig: Rig) -> None:
    pcsc_rig.insert(SimulatedSocialSecurityCard())
    code, text = run_diag()
    assert code == 0, text
    assert VPCD_READER in text and "ATR: 3B 6C 00 00" in text and "社会保障卡" in text
    assert "张**" in text and "110***********002X" in text
    assert "张三丰" not in text and "11010519491231002X" not in text
    code, text = run_diag("--show-personal")
    assert code == 0 and "张三丰" in text and "11010519491231002X" in text
    assert "1949-12-31" in text


def test_diag_verifies_a_staff_card_against_a_roster(pcsc_rig: Rig, tmp_path: Path) -> None:
    card = SimulatedStaffCard("T0001")
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps({"version": 1, "staff": [
        {"staff_id": "T0001", "public_key": b64e(card.public_key), "roles": ["technician"]}]}))
    pcsc_rig.insert(card)
    code, text = run_diag("--roster", str(roster), "--kiosk-id", "KIOSK-001")
    assert code == 0, text
    assert "工作人员卡" in text and "T0001" in text and b64e(card.public_key) in text
    assert "挑战应答验证：通过（角色：technician）" in text

    roster.write_text(json.dumps({"version": 1, "staff": [
        {"staff_id": "T0001", "public_key": b64e(SimulatedStaffCard("X").public_key)}]}))
    code, text = run_diag("--roster", str(roster))
    assert code == 1 and "挑战应答验证：失败（bad_signature" in text
    code, text = run_diag()
    assert code == 0 and "未指定 --roster" in text


def test_diag_reports_unknown_cards_empty_readers_and_bad_rosters(
        pcsc_rig: Rig, tmp_path: Path) -> None:
    code, text = run_diag("--wait", "0.3")
    assert code == 1 and "请插入卡片" in text
    bad = tmp_path / "roster.json"
    bad.write_text("[]")
    assert run_diag("--roster", str(bad))[0] == 2
    pcsc_rig.insert(SimulatedForeignCard())
    code, text = run_diag()
    assert code == 1 and "社会保障卡" in text and "6A82" in text
    assert diag.run(["--wait", "x"], out=io.StringIO()) == 2


def test_diag_runs_on_any_reader_object() -> None:
    reader = SimulatedSmartCardReader(card="staff")
    out = io.StringIO()
    assert diag.run(["--wait", "1"], out=out, reader=reader) == 0
    assert "DEMO001" in out.getvalue()
    assert not reader.is_open
