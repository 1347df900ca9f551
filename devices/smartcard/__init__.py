"""Contact smart cards: 社会保障卡 and staff cards over PC/SC (or simulated).

* ``base`` — the ``SmartCardReader`` port, its events and errors;
* ``apdu`` — pure APDU/SW/TLV/BCD/GBK helpers; ``sscard`` and ``staffcard`` — the two card
  applications as pure sequences over a ``transmit`` callable;
* ``pcsc`` (pyscard, imported lazily through ``devices.registry``) and ``simulated``;
* ``diag`` — ``python -m devices.smartcard.diag``: list readers, identify a card.

Docs: ``docs/devices/smartcard.md``, ``docs/devices/staffcard.md``.
"""

from devices.smartcard.apdu import CardDataError, CardStatusError
from devices.smartcard.base import (
    CardEvent,
    CardListener,
    CardRemovedError,
    CardSession,
    NoCardError,
    SmartCardReader,
)
from devices.smartcard.sscard import SocialSecurityCard
from devices.smartcard.staffcard import (
    StaffAuthenticator,
    StaffAuthError,
    StaffCardAnswer,
    StaffChallenge,
    StaffMember,
    StaffRoster,
)

__all__ = [
    "CardDataError",
    "CardEvent",
    "CardListener",
    "CardRemovedError",
    "CardSession",
    "CardStatusError",
    "NoCardError",
    "SmartCardReader",
    "SocialSecurityCard",
    "StaffAuthError",
    "StaffAuthenticator",
    "StaffCardAnswer",
    "StaffChallenge",
    "StaffMember",
    "StaffRoster",
]
