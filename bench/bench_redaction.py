"""Time kiosk.redaction.redact() on realistic log lines.

Prints microseconds per call for a ~200-byte and a ~2 KB line, without and with personal
data, next to a baseline measured in the same run: a bare ``len(text)`` call through the
same timing loop (the cost of the loop and the call itself). Run:

    python bench/bench_redaction.py [--number N]
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.redaction import redact, sensitive_values

CLEAN_200 = (
    "sync.worker delivered application 8f14e45f-ceea-467a-9b35-0f3c2a1b5d6e (service "
    "XK00001000, region 520102) to https://platform.example/api/v1/applications in 123 ms, "
    "status=200 attempt=1 queue_depth=4"
)
PII_200 = (
    "idcard.reader read ok: name=张三 id_number=11010519491231002X phone=13812345678 "
    "住址=贵州省贵阳市南明区中华南路123号 photo=1024B reader=/dev/ttyUSB0 took 412 ms"
)
# ~2 KB: a multi-line request/response dump, the largest kind of line the kiosk writes.
CLEAN_2K = "\n".join(
    [
        "POST /api/v1/applications HTTP/1.1 -> 201 Created",
        "Idempotency-Key: kiosk-0042-000173-20240501120000-5f2c9a",
        "X-Signature: sm2:" + "3045022100c8a1f9e2b7d4" * 6,
    ]
    + [
        f"material {i}: code=MAT{i:05d} trust=B pages={i % 4 + 1} "
        f"sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        for i in range(14)
    ]
)
PII_2K = CLEAN_2K.replace(
    "material 3:", 'applicant {"name": "欧阳娜娜", "id_number": "440524188001010014"} material 3:'
).replace("material 9:", "agent 13912345678 uscc 91350100M000100Y43 material 9:")


def per_call_us(fn: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20_000, help="calls per repeat")
    args = parser.parse_args()

    cases = [
        ("200 B, no personal data", CLEAN_200),
        ("200 B, with personal data", PII_200),
        ("2 KB, no personal data", CLEAN_2K),
        ("2 KB, with personal data", PII_2K),
    ]
    print(f"Python {sys.version.split()[0]}; best of 5 x {args.number} calls")
    print(f"{'case':<28}{'bytes':>7}{'baseline µs':>13}{'redact µs':>11}{'+registered µs':>16}")
    for label, text in cases:
        size = len(text.encode("utf-8"))
        base = per_call_us(partial(len, text), args.number)
        plain = per_call_us(partial(redact, text), args.number)
        with sensitive_values("张三", "欧阳娜娜"):
            registered = per_call_us(partial(redact, text), args.number)
        print(f"{label:<28}{size:>7}{base:>13.3f}{plain:>11.2f}{registered:>16.2f}")
    assert "11010519491231002X" not in redact(PII_200)
    assert "440524188001010014" not in redact(PII_2K)


if __name__ == "__main__":
    main()
