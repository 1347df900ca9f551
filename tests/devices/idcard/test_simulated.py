"""SimulatedIdCardReader: the demo-mode reader and its scripting API."""

from __future__ import annotations

import dataclasses

import pytest

from devices.idcard.photo import NullPhotoDecoder
from devices.idcard.simulated import SimulatedIdCardReader, sample_card
from kiosk.errors import DeviceOperationError, DeviceUnavailableError


def test_demo_card_place_and_remove() -> None:
    with SimulatedIdCardReader(card="resident") as reader:
        assert reader.describe()["card_present"] is True
        card = reader.read_card()
        assert card is not None and card.name == "李华" and card.number_valid
        assert reader.find_card() is False  # halted until removed, like real cards
        reader.remove()
        assert reader.read_card() is None
        reader.place("Y")
        card = reader.read_card()
        assert card is not None and card.card_type.value == "Y"


def test_fingerprint_and_photo_come_from_the_placed_card() -> None:
    card = dataclasses.replace(sample_card(), photo_wlt=b"\x01" * 1024,
                               fingerprint=b"\x02" * 512)
    with SimulatedIdCardReader(read_fingerprint=True) as reader:
        reader.place(card)
        got = reader.read_card()
    assert got == card


def test_fault_script_unplug_and_scripted_failures() -> None:
    reader = SimulatedIdCardReader()
    reader.faults.unplug()
    with pytest.raises(DeviceUnavailableError):
        reader.open()
    reader.faults.replug()
    with reader:
        reader.faults.fail_next(DeviceOperationError("boom"))
        with pytest.raises(DeviceOperationError, match="boom"):
            reader.status()
        reader.status()


def test_unknown_sample_and_unencodable_cards_are_refused_at_once() -> None:
    reader = SimulatedIdCardReader()
    with pytest.raises(ValueError, match="no sample card"):
        reader.place("passport")
    with pytest.raises(ValueError):
        reader.place(dataclasses.replace(sample_card(), name="张" * 16))


def test_photo_decoder_can_be_named_in_the_configuration(
        caplog: pytest.LogCaptureFixture) -> None:
    reader = SimulatedIdCardReader(photo_decoder="devices.idcard.photo:NullPhotoDecoder")
    assert isinstance(reader.photo_decoder, NullPhotoDecoder)
    assert reader.describe()["photo_decoder"] == "NullPhotoDecoder"
    for bad in ("no_such_vendor_module:Decoder", "devices.idcard.photo:BMP_SIZE", "nocolon"):
        assert SimulatedIdCardReader(photo_decoder=bad).photo_decoder is None
    assert "photos will be missing" in caplog.text
