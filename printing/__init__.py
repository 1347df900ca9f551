"""Receipts (ESC/POS), A4 notices (PDF, CUPS), reprints and printer diagnostics.

==================  =======================================================================
``model``           what is printed (``ReceiptData``) and what a printer answered
                    (``PrinterStatus``, ``PrintOutcome``); pure
``templates``       wording and order as data (``templates/default.json`` + overlays)
``escpos``          slip → ESC/POS bytes; the ``ReceiptPrinter`` port and its backends
``notice``          受理通知书 and 材料清单 as A4 PDF (reportlab)
``cups``            the ``A4Printer`` port: ``CupsPrinter`` (lp/lpstat) and a simulator
``reprint``         补打 by provisional or case number, audited
``diag``            ``kiosk diag printer`` (JSON)
==================  =======================================================================

This module holds the one thing the slip and the notice share: finding CJK fonts through
fontconfig (``fc-list``), with each face's character coverage so a character missing from
the preferred font (䶮, 𠮷 …) is drawn with a face that has it. At import it only sets
where python-escpos caches its printer database (below).
"""

from __future__ import annotations

import bisect
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

import platformdirs

log = logging.getLogger(__name__)

# python-escpos parses its printer database (YAML) at import and pickles it to
# ESCPOS_CAPABILITIES_PICKLE_DIR, by default a fresh mkdtemp() per process: ~0.2 s of every
# kiosk start and one temporary directory left behind each time. One per-user cache
# directory instead (not the shared /tmp: the pickle is loaded with pickle.load).
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    _cache = os.path.join(platformdirs.user_cache_dir("gov-kiosk"), "escpos")
    try:
        os.makedirs(_cache, mode=0o700, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _cache
    except OSError as err:  # python-escpos falls back to its temporary directory
        log.warning("no cache directory for python-escpos: %s", err)

#: Preference order: WenQuanYi Micro Hei first (TrueType outlines: reportlab can embed it),
#: then Noto CJK SC (CFF: Pillow only), then any other face that declares Chinese.
PREFERRED_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC",
                      "Noto Serif CJK SC", "AR PL UMing CN", "AR PL UKai CN")


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int
    family: str
    fontformat: str  # "TrueType", "CFF", …
    ranges: tuple[tuple[int, int], ...]  # covered code points, sorted, inclusive

    def covers(self, ch: str) -> bool:
        cp = ord(ch)
        i = bisect.bisect_right(self.ranges, (cp, 0x10FFFF + 1)) - 1
        return i >= 0 and self.ranges[i][0] <= cp <= self.ranges[i][1]

    @property
    def truetype(self) -> bool:
        return self.fontformat == "TrueType"


def _parse_charset(text: str) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for part in text.split():
        lo, _, hi = part.partition("-")
        try:
            out.append((int(lo, 16), int(hi or lo, 16)))
        except ValueError:
            continue
    return tuple(sorted(out))


def _rank(face: FontFace) -> tuple[int, bool, str, int]:
    try:
        pref = PREFERRED_FAMILIES.index(face.family)
    except ValueError:
        pref = len(PREFERRED_FAMILIES)
    # Bold faces share the family name: the regular one of each family first.
    return (pref, "Bold" in face.path, face.path, face.index)


@lru_cache(maxsize=1)
def cjk_faces() -> tuple[FontFace, ...]:
    """Installed faces that declare Chinese, best first; empty without fontconfig."""
    exe = shutil.which("fc-list")
    if exe is None:
        log.warning("fc-list not found: no CJK font for raster text and PDFs")
        return ()
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}|%{index}|%{family[0]}|%{fontformat}|%{charset}\n",
             ":lang=zh-cn"], capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError) as err:
        log.warning("fc-list failed: %s", err)
        return ()
    faces = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) != 5 or not parts[0]:
            continue
        try:
            index = int(parts[1] or 0)
        except ValueError:
            index = 0
        faces.append(FontFace(parts[0], index, parts[2], parts[3], _parse_charset(parts[4])))
    faces.sort(key=_rank)
    return tuple(faces)


def face_for(ch: str) -> FontFace | None:
    """The best face that has a glyph for ``ch`` (None: no installed face has it)."""
    for face in cjk_faces():
        if face.covers(ch):
            return face
    return None


def default_face() -> FontFace | None:
    faces = cjk_faces()
    return faces[0] if faces else None


def truetype_face() -> FontFace | None:
    """The best CJK face with TrueType outlines (what reportlab can embed)."""
    for face in cjk_faces():
        if face.truetype:
            return face
    return None
