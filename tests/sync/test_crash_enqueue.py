"""Crash safety of enqueue (reliability T1): SIGKILL at random points, 0 lost, 0 duplicated.

``KTEST_CRASH_KILLS`` sets the number of kills (default 100). The figures are written to
``artifacts/crash_enqueue.json``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from .crash_harness import run


def test_sigkill_during_enqueue_loses_and_duplicates_nothing(tmp_path: Path,
                                                             artifacts_dir: Path) -> None:
    kills = int(os.environ.get("KTEST_CRASH_KILLS", "100"))
    report = run(kills, tmp_path / "queue")
    figures = dataclasses.asdict(report)
    (artifacts_dir / "crash_enqueue.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("crash enqueue:", figures)
    assert report.errors == []
    assert report.kills == kills
    assert report.acked > kills  # the children did real work between kills
    assert report.lost == 0
    assert (report.duplicate_keys, report.duplicate_numbers, report.duplicate_drafts) == (0, 0, 0)
    assert report.draft_gaps == 0
    assert report.integrity == "ok"
    assert report.bad_attachments == report.leftover_files == 0
    assert report.stored >= report.acked
    if kills >= 50:
        # proves the window between COMMIT and the acknowledgement was hit and deduplicated
        assert report.commit_ack_window > 0
