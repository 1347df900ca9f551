"""List models exposed to QML (``QAbstractListModel``; roles are named in ``ROLES``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from kiosk.catalogue import Bundle, Catalogue, Department, Service

Index = QModelIndex | QPersistentModelIndex
FIRST_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def pick(language: str, zh: str, en: str) -> str:
    """Chinese first: English only when asked for and available."""
    return en if language == "en" and en else zh


def pick_list(language: str, zh: Sequence[str], en: Sequence[str]) -> list[str]:
    """:func:`pick` for a list and its English twin (the loader checks the lengths match;
    a twin of another length is ignored rather than mixing languages)."""
    return list(en) if language == "en" and len(en) == len(zh) else list(zh)


class _ListModel(QAbstractListModel):
    """Rows of one dataclass kind. Subclasses name their roles in ``ROLES`` (role id =
    ``Qt.UserRole + 1 + position``) and map a role name to a value in ``_value``."""

    ROLES: ClassVar[tuple[str, ...]] = ()
    countChanged = Signal()

    def __init__(self, catalogue: Catalogue, language: Callable[[], str]) -> None:
        super().__init__()
        self._rows: list[Any] = []
        self._catalogue = catalogue
        self._language = language

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()
        self.countChanged.emit()

    def refresh(self) -> None:
        """Language changed: every text role may differ."""
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    count = Property(int, lambda s: len(s._rows), notify=countChanged, final=True)

    def roleNames(self) -> dict[int, QByteArray]:
        return {FIRST_ROLE + i: QByteArray(n.encode()) for i, n in enumerate(self.ROLES)}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        i = role - FIRST_ROLE
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= i < len(self.ROLES):
            return None
        return self._value(self._rows[index.row()], self.ROLES[i], self._language())

    def _value(self, row: Any, role: str, lang: str) -> Any:
        raise NotImplementedError


class ServiceListModel(_ListModel):
    ROLES = ("code", "name", "nameAlt", "summary", "department", "kindName",
             "offlineAllowed", "icon")

    def _value(self, s: Service, role: str, lang: str) -> Any:
        dept = self._catalogue.department(s.department_id)
        values = {
            "code": s.code,
            "name": pick(lang, s.name, s.name_en),
            "nameAlt": s.name if lang == "en" else s.name_en,
            "summary": pick(lang, s.summary, s.summary_en),
            "department": pick(lang, dept.name, dept.name_en),
            "kindName": pick(lang, s.kind_name, s.kind_name_en),
            "offlineAllowed": s.offline_allowed,
            "icon": dept.icon,
        }
        return values[role]


class DepartmentListModel(_ListModel):
    ROLES = ("deptId", "name", "nameAlt", "icon", "serviceCount")

    def _value(self, d: Department, role: str, lang: str) -> Any:
        if role == "serviceCount":
            return len(self._catalogue.services_in(d.id))
        values = {
            "deptId": d.id,
            "name": pick(lang, d.name, d.name_en),
            "nameAlt": d.name if lang == "en" else d.name_en,
            "icon": d.icon,
        }
        return values[role]


class BundleListModel(_ListModel):
    ROLES = ("bundleId", "name", "nameAlt", "description", "icon", "serviceCount")

    def _value(self, b: Bundle, role: str, lang: str) -> Any:
        values = {
            "bundleId": b.id,
            "name": pick(lang, b.name, b.name_en),
            "nameAlt": b.name if lang == "en" else b.name_en,
            "description": pick(lang, b.description, b.description_en),
            "icon": b.icon,
            "serviceCount": len(b.service_codes),
        }
        return values[role]
