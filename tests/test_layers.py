"""The dependency rule of STYLE.md §1: Qt only in ui/ (and main.py), vendor libraries only
in device backends, no I/O libraries in the domain package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = {"PySide6", "shiboken6"}
VENDOR = {"serial", "smartcard", "cv2", "escpos", "requests", "reportlab", "sqlalchemy",
          "alembic"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["kiosk", "devices", "sync", "printing"])
def test_core_packages_do_not_import_qt(package: str) -> None:
    offenders = [str(p.relative_to(ROOT)) for p in sources(package) if imported_modules(p) & QT]
    assert offenders == []


def test_domain_package_imports_no_io_libraries() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(imported_modules(p) & VENDOR)
                 for p in sources("kiosk") if imported_modules(p) & VENDOR}
    assert offenders == {}


def test_main_imports_qt_only_lazily() -> None:
    tree = ast.parse((ROOT / "main.py").read_text(encoding="utf-8"))
    top_level = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top_level.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            top_level.add(node.module.split(".")[0])
    assert not top_level & (QT | {"ui"})


def test_rule_checker_detects_a_qt_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport serial.tools\n", encoding="utf-8")
    assert imported_modules(bad) >= {"PySide6", "serial"}
