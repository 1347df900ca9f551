"""Fill in the search spellings of the bundled catalogue (run by hand after editing names).

For every service it rewrites, in place:

* ``pinyin``   — full pinyin of ``name``, lowercase, no tones, no spaces, punctuation dropped
  (``户口迁出（省内）`` → ``hukouqianchushengnei``);
* ``initials`` — first letter of every syllable (``hkqcsn``);
* ``keywords`` — for every keyword containing hanzi, its pinyin and initials are appended as
  Latin aliases when missing (``社保卡`` adds ``shebaoka`` and ``sbk``), so that ``kiosk.search``
  needs no pinyin library at run time.

Polyphones (行, 长, 重, 藏, 参, 单, 查, 得, 系, 卡, 约, 省 …) are resolved by pypinyin's phrase
dictionary; the tool lists every name that contains one so a person can check it once.
``tests/test_catalogue.py`` recomputes ``pinyin``/``initials`` with pypinyin and fails on drift.

Usage::

    python tools/gen_pinyin.py [path/to/catalogue.json] [--check]

``--check`` changes nothing and exits with status 1 when the file is out of date.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from pypinyin import Style, lazy_pinyin

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "kiosk" / "data" / "catalogue.json"
POLYPHONES = "行长重藏参单查得系卡约省还调便传着曾属会"
_HAN = re.compile(r"[\u3400-\u9fff]")


def full_pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).lower()


def initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()


def keyword_aliases(keywords: list[str]) -> list[str]:
    out: list[str] = []
    for word in keywords:
        candidates = [word]
        if _HAN.search(word):
            candidates += [full_pinyin(word), initials(word)]
        for candidate in candidates:
            if candidate and candidate not in out:
                out.append(candidate)
    return out


def update(document: dict[str, Any]) -> list[str]:
    """Rewrite the spellings in ``document``; return the names that contain a polyphone."""
    review: list[str] = []
    for service in document["services"]:
        name = service["name"]
        service["pinyin"] = full_pinyin(name)
        service["initials"] = initials(name)
        service["keywords"] = keyword_aliases(service.get("keywords", []))
        if any(ch in POLYPHONES for ch in name):
            review.append(f"{service['code']} {name} -> {service['pinyin']}")
    return review


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="only report whether it is current")
    args = parser.parse_args(argv)

    original = args.path.read_text(encoding="utf-8")
    document = json.loads(original)
    review = update(document)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.check:
        if text != original:
            print(f"{args.path}: pinyin/initials/keywords out of date; run tools/gen_pinyin.py")
            return 1
        return 0
    args.path.write_text(text, encoding="utf-8")
    if review:
        print("check these polyphone readings by hand:")
        print("\n".join(f"  {line}" for line in review))
    return 0


if __name__ == "__main__":
    sys.exit(main())
