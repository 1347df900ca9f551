"""Benchmark: service search over 2,000 services (target < 5 ms per query).

Builds 2,000 distinct services by cloning the bundled ones (district prefix × qualifier
suffix, fresh codes, pinyin recomputed with pypinyin), then runs a fixed, seeded mix of
1,000 queries — hanzi substrings, full-pinyin prefixes, initials prefixes and misses — and
prints p50/p99/max latency per query. The same-run baseline is a naive linear ``in`` scan
over the names only (no pinyin, no ranking), i.e. the least any search could do.

    python bench/bench_search.py [--services 2000] [--queries 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypinyin import Style, lazy_pinyin

from kiosk.catalogue import Service, load_catalogue
from kiosk.search import SearchIndex

DISTRICTS = ("云岩区", "南明区", "花溪区", "乌当区", "白云区", "观山湖区", "清镇市", "修文县",
             "息烽县", "开阳县")
QUALIFIERS = ("", "（变更）", "（注销）", "（延续）", "（补正）", "（预约）", "（咨询）",
              "（查询）", "（打印）")
MISSES = ("火箭发射", "潜水执照", "qxzv", "zzqqxx", "vvv", "航天员报名", "xkcdpq", "qq群",
          "jjjjjj", "猫咪")
TARGET_MS = 5.0


def build_services(count: int) -> list[Service]:
    base = load_catalogue().services
    out: list[Service] = []
    for i in range(count):
        src = base[i % len(base)]
        variant = i // len(base)
        district = DISTRICTS[variant % len(DISTRICTS)]
        qualifier = QUALIFIERS[(variant // len(DISTRICTS)) % len(QUALIFIERS)]
        name = f"{district}{src.name}{qualifier}"
        code = f"{src.kind}{i:05d}{variant % 1000:03d}"
        out.append(dataclasses.replace(
            src, code=code, name=name,
            pinyin="".join(lazy_pinyin(name, style=Style.NORMAL, errors="ignore")),
            initials="".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")),
            implementing_code=src.implementing_code[:24] + code,
        ))
    if len({s.name for s in out}) != count or len({s.code for s in out}) != count:
        raise SystemExit("generated names or codes are not distinct; raise QUALIFIERS")
    return out


def build_queries(services: Sequence[Service], count: int, rng: random.Random) -> list[str]:
    queries: list[str] = []
    while len(queries) < count:
        s = rng.choice(services)
        kind = rng.random()
        if kind < 0.30:
            han = s.name
            n = rng.randint(2, 4)
            start = rng.randint(0, max(len(han) - n, 0))
            queries.append(han[start:start + n])
        elif kind < 0.55:
            queries.append(s.pinyin[: rng.randint(4, 12)])
        elif kind < 0.80:
            queries.append(s.initials[: rng.randint(2, 5)])
        else:
            queries.append(rng.choice(MISSES))
    return queries


def timed(fn: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    for q in queries[:50]:  # warm-up
        fn(q)
    out: list[float] = []
    for q in queries:
        t0 = time.perf_counter_ns()
        fn(q)
        out.append((time.perf_counter_ns() - t0) / 1e6)
    return out


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.3f} ms p99 {p99:.3f} ms max {ordered[-1]:.3f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    services = build_services(args.services)
    t0 = time.perf_counter()
    index = SearchIndex(services)
    build_ms = (time.perf_counter() - t0) * 1e3
    queries = build_queries(services, args.queries, random.Random(args.seed))

    search = timed(lambda q: index.search(q, 20), queries)
    naive = timed(lambda q: [s for s in services if q in s.name], queries)
    hits = sum(bool(index.search(q, 20)) for q in queries)

    print(f"{len(services)} services, {len(queries)} queries ({hits} with hits), "
          f"index build {build_ms:.1f} ms")
    print(f"search {summary(search)} (target < {TARGET_MS:g} ms) | "
          f"baseline naive scan {summary(naive)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
