"""Second-generation ID-card readers (二代身份证阅读器), SAM_V protocol.

* :mod:`devices.idcard.base` — the ``IdCardReader`` port and the ``IdCardPoller`` state
  machine (find → select → read, debounce, removal detection, listener callbacks);
* :mod:`devices.idcard.protocol` — frames, parser, status codes (pure);
* :mod:`devices.idcard.cards` — the text block of the four card types, ``IdCardData`` (pure);
* :mod:`devices.idcard.photo` — the ``PhotoDecoder`` port for the licensed WLT decoder;
* :mod:`devices.idcard.serial` — ``SerialIdCardReader`` (pyserial; imported lazily by the
  registry); :mod:`devices.idcard.simulated` — ``SimulatedIdCardReader`` (demo, tests);
* :mod:`devices.idcard.diag` — ``kiosk diag idcard --port URL``.

See ``docs/devices/idcard.md``.
"""

from __future__ import annotations

from devices.idcard.base import IdCardListener, IdCardPoller, IdCardReader
from devices.idcard.cards import LONG_TERM, CardType, IdCardData, UnsupportedCardError
from devices.idcard.photo import NullPhotoDecoder, PhotoDecoder
from devices.idcard.protocol import CardReadError, ProtocolError, SamFaultError, SamStatusError

__all__ = [
    "LONG_TERM",
    "CardReadError",
    "CardType",
    "IdCardData",
    "IdCardListener",
    "IdCardPoller",
    "IdCardReader",
    "NullPhotoDecoder",
    "PhotoDecoder",
    "ProtocolError",
    "SamFaultError",
    "SamStatusError",
    "UnsupportedCardError",
]
