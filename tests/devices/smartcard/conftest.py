"""pcscd + vsmartcard-vpcd for the PC/SC tests, and a rig that drives both backends.

The ``pcscd`` session fixture:

* if a pcscd is already running (``pgrep -x pcscd``) and lists ``Virtual PCD 00 00``, it is
  used as is (no APDU log then); if it runs without the vpcd reader the tests fail with
  instructions — they never kill a daemon they did not start;
* otherwise, as root, it starts ``pcscd --foreground --apdu --debug --config <tmp>`` (log in
  the session's tmp dir: ``pcscd.log``, every APDU and status word) and terminates it at
  the end. The ``--config`` directory holds a copy of vpcd's reader configuration with a
  port pair *below* the kernel's ephemeral range: vpcd's default ports 35963/35964 lie
  inside it (32768-60999 on Linux), so any outgoing TCP connection on the machine can hold
  one of them and pcscd then drops the reader ("Address already in use" in the log);
* not root: pcsc-lite 1.9.9 hard-codes ``/run/pcscd``, so pcscd runs in a user + mount
  namespace with a private ``/run`` (a tmp dir bind-mounted over it) and the client is
  pointed at its socket with ``PCSCLITE_CSOCK_NAME`` (reference/devices.md §C.2; needs
  unprivileged user namespaces).

Debian packages needed (scripts/setup.sh installs them): ``pcscd``, ``vsmartcard-vpcd``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devices.smartcard.base import SmartCardReader
from devices.smartcard.simulated import SimulatedCard, SimulatedSmartCardReader
from kiosk.redaction import clear_sensitive
from tests.devices.smartcard.virtual_card import VirtualCard

VPCD_READER = "Virtual PCD 00 00"


VPCD_DEFAULT_PORT = 35963
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


@dataclass
class Pcscd:
    log: Path | None           # None when an already running pcscd is used
    process: subprocess.Popen[bytes] | None
    port: int                  # vpcd's TCP port for slot 00 00 (slot 00 01 is port + 1)

    def log_text(self) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(encoding="utf-8", errors="replace")


def _reader_names() -> list[str]:
    from smartcard.System import readers

    try:
        return [str(r) for r in readers()]
    except Exception:
        return []


def _wait_for_vpcd(timeout_s: float, process: subprocess.Popen[bytes] | None) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if VPCD_READER in _reader_names():
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _free_port_pair() -> int:
    """A port p with p and p + 1 free on 127.0.0.1 and outside the ephemeral range."""
    low, high = _ephemeral_range()
    for port in range(23963, 65000, 2):
        if low <= port + 1 and port <= high:
            continue
        probes = []
        try:
            for p in (port, port + 1):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError("no free TCP port pair for vpcd")


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
        pytest.fail("pcscd is not installed: apt-get install pcscd vsmartcard-vpcd "
                    "(scripts/setup.sh does it)")
    if not VPCD_DRIVER.exists():
        pytest.fail("vsmartcard-vpcd is not installed: apt-get install vsmartcard-vpcd")
    if subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0:
        if not _wait_for_vpcd(3.0, None):
            pytest.fail(f"a pcscd not started by the tests is running without the "
                        f"{VPCD_READER!r} reader (readers: {_reader_names()}); stop it "
                        f"(systemctl stop pcscd.socket pcscd) and run the tests again")
        yield Pcscd(None, None, VPCD_DEFAULT_PORT)
        return

    directory = tmp_path_factory.mktemp("pcscd")
    log_path = directory / "pcscd.log"
    port = _free_port_pair()
    config = directory / "reader.conf.d"
    config.mkdir()
    (config / "vpcd").write_text(
        f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:0x{port:04X}\n'
        f"LIBPATH      {VPCD_DRIVER}\nCHANNELID    0x{port:04X}\n", encoding="ascii")
    pcscd_cmd = f"pcscd --foreground --apdu --debug --config {config}"
    old_socket = os.environ.get("PCSCLITE_CSOCK_NAME")
    if os.geteuid() == 0:
        argv = pcscd_cmd.split()
    else:
        # a private /run: pcscd creates /run/pcscd (there, i.e. in our tmp dir) itself
        run = directory / "run"
        run.mkdir()
        argv = ["unshare", "-Urm", "sh", "-c", f"mount --bind {run} /run && exec {pcscd_cmd}"]
        os.environ["PCSCLITE_CSOCK_NAME"] = str(run / "pcscd" / "pcscd.comm")
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        if not _wait_for_vpcd(10.0, process):
            text = log_path.read_text(errors="replace")[-3000:]
            pytest.fail(f"pcscd did not come up with the {VPCD_READER!r} reader "
                        f"(exit code {process.poll()}); log tail:\n{text}")
        yield Pcscd(log_path, process, port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if os.geteuid() != 0:
            if old_socket is None:
                os.environ.pop("PCSCLITE_CSOCK_NAME", None)
            else:
                os.environ["PCSCLITE_CSOCK_NAME"] = old_socket


@pytest.fixture(autouse=True)
def _forget_registered_values() -> Iterator[None]:
    yield
    clear_sensitive()


@dataclass
class Rig:
    """One reader plus a way to put cards into it, whatever the backend."""

    backend: str
    reader: SmartCardReader
    _insert: Callable[[SimulatedCard], None]
    _remove: Callable[[], None]
    cards: list[VirtualCard] = field(default_factory=list)

    def insert(self, card: SimulatedCard, *, wait: bool = True) -> SimulatedCard:
        self._insert(card)
        if wait:
            self.reader.wait_for_card(5.0)
        return card

    def remove(self, *, wait: bool = True) -> None:
        self._remove()
        if wait:
            assert self.reader.wait_for_removal(5.0)


def _pcsc_rig(every: list[VirtualCard], port: int) -> Rig:
    from devices.smartcard.pcsc import PcscCardReader

    reader = PcscCardReader(VPCD_READER)
    inserted: list[VirtualCard] = []

    def insert(card: SimulatedCard) -> None:
        virtual = VirtualCard(card, port=port)
        every.append(virtual)
        inserted.append(virtual)
        virtual.insert()

    def remove() -> None:
        while inserted:
            inserted.pop().remove()

    return Rig("pcsc", reader, insert, remove, every)


@contextmanager
def _make_rig(backend: str, request: pytest.FixtureRequest) -> Iterator[Rig]:
    cards: list[VirtualCard] = []
    if backend == "pcsc":
        daemon: Pcscd = request.getfixturevalue("pcscd")
        made = _pcsc_rig(cards, daemon.port)
    else:
        simulated = SimulatedSmartCardReader()
        made = Rig("simulated", simulated, simulated.insert, simulated.remove)
    made.reader.open()
    try:
        yield made
    finally:
        made.reader.close()
        for card in cards:
            card.remove()
            assert card.error is None, f"virtual card failed: {card.error!r}"
        if backend == "pcsc":  # the next test must start from an empty reader
            probe = _pcsc_rig([], daemon.port).reader
            with probe:
                assert probe.wait_for_removal(5.0)


@pytest.fixture(params=["simulated", "pcsc"])
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    """The contract tests' reader: once simulated, once PC/SC through pcscd + vpcd."""
    with _make_rig(request.param, request) as made:
        yield made


@pytest.fixture
def pcsc_rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    with _make_rig("pcsc", request) as made:
        yield made
