"""Time an ID-card read (find + select + read 30 01) over a pty at 115200 baud.

The adapter (``SerialIdCardReader.read_card(added_address=False)``: three requests, replies
of 15 + 19 + 1,295 bytes, text-block parsing) runs against the SAM emulator of
``tests/devices/idcard/emulator.py`` on the other end of a pty pair, in two set-ups:

* **instant** — the emulator answers at once; a pty does not throttle to the baud rate, so
  this shows the software overhead alone;
* **paced** — the emulator behaves like a 115200-baud UART: each reply starts after the
  request's own wire time and its bytes become readable only when they would have arrived
  (10 bits per byte). This is the realistic figure, compared with the target.

Baselines from the same run: the **wire time** of all bytes exchanged in both directions at
10 bits per byte, and a **raw** exchange of the same requests with bare pyserial on the same
port (write, then read exactly the expected number of bytes; no parsing), alternating with
the adapter's reads so both see the same machine load. Run::

    python bench/bench_idcard.py [--reads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.idcard.protocol import Command, Request
from devices.idcard.serial import SerialIdCardReader
from tests.devices.idcard.conftest import TEST_VECTOR
from tests.devices.idcard.emulator import READ_BASE, EmuCard, SamEmulator

BAUD = 115200
EXCHANGE = [(Command.FIND, 15), (Command.SELECT, 19), (Command.READ_BASE, 1295)]


def wire_ms() -> float:
    total = sum(Request(cmd).wire_len + reply for cmd, reply in EXCHANGE)
    return total * 10 / BAUD * 1000


def measure(pace: bool, reads: int, warmup: int = 3) -> tuple[list[float], list[float], int]:
    """Adapter and raw reads alternate, so both see the same machine load."""
    adapter: list[float] = []
    raw: list[float] = []
    with SamEmulator(halt_after_read=False, pace_baud=BAUD if pace else None) as emu:
        emu.place(EmuCard(text=TEST_VECTOR))
        with SerialIdCardReader(emu.path, baudrate=BAUD) as reader:
            ser = reader._ser  # the same pyserial port, used bare for the raw baseline

            def adapter_read() -> None:
                card = reader.read_card(added_address=False)
                assert card is not None and card.id_number == "11010519491231002X"

            def raw_read() -> None:
                ser.reset_input_buffer()
                for cmd, reply in EXCHANGE:
                    ser.write(Request(cmd).to_bytes())
                    got = b""
                    while len(got) < reply:
                        chunk = ser.read(reply - len(got))
                        if not chunk:
                            raise RuntimeError("raw reply timed out")
                        got += chunk

            for i in range(warmup + reads):
                for fn, out in ((adapter_read, adapter), (raw_read, raw)):
                    t = time.perf_counter()
                    fn()
                    if i >= warmup:
                        out.append((time.perf_counter() - t) * 1000)
        resends = emu.count(READ_BASE) - 2 * (warmup + reads)
    return adapter, raw, resends


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 \
        else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=40, help="timed reads per set-up")
    args = parser.parse_args()
    wire = wire_ms()
    total = sum(Request(cmd).wire_len + reply for cmd, reply in EXCHANGE)
    print(f"bytes exchanged per read: {total} (3 requests of 10 B, replies 15 + 19 + 1295 B); "
          f"wire time at {BAUD} baud, 10 bits/byte: {wire:.1f} ms")
    for label, pace in (("instant pty", False), ("paced 115200", True)):
        adapter, raw, resends = measure(pace, args.reads)
        med = statistics.median(adapter)
        print(f"[{label:12}] read p50 {med:.1f} ms | wire time {wire:.1f} ms | "
              f"ratio {med / wire:.3f} (target <= 1.15)")
        print(f"{'':15}adapter p90 {p(adapter, 90):.1f} ms max {max(adapter):.1f} ms; "
              f"raw pyserial p50 {statistics.median(raw):.1f} ms "
              f"(adapter / raw {med / statistics.median(raw):.3f}); resends {resends}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) {load:.1f} on {os.cpu_count()} CPUs: figures from a busy "
          "machine include scheduling delays of the emulator thread")


if __name__ == "__main__":
    main()
