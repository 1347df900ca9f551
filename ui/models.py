"""List models exposed to QML (``QAbstractListModel`` with a role enum)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtCore import Property, Signal

from kiosk.catalogue import Bundle, Catalogue, Department, Service

Index = QModelIndex | QPersistentModelIndex


def pick(language: str, zh: str, en: str) -> str:
    """Chinese first: English only when asked for and available."""
    return en if language == "en" and en else zh


class _ListModel(QAbstractListModel):
    """Rows of one dataclass kind; subclasses map roles to values."""

    class Role(enum.IntEnum):
        pass

    countChanged = Signal()

    def __init__(self, language: Callable[[], str]) -> None:
        super().__init__()
        self._rows: list[Any] = []
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

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def _get_count(self) -> int:
        return len(self._rows)

    count = Property(int, _get_count, notify=countChanged, final=True)

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802 - Qt override
        return {int(r): QByteArray(r.name.encode()) for r in self.Role}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        try:
            r = self.Role(role)
        except ValueError:
            return None
        return self._value(self._rows[index.row()], r)

    def _value(self, row: Any, role: Any) -> Any:
        raise NotImplementedError


class ServiceListModel(_ListModel):
    class Role(enum.IntEnum):
        code = Qt.ItemDataRole.UserRole + 1
        name = enum.auto()
        nameAlt = enum.auto()  # noqa: N815 - QML role name
        summary = enum.auto()
        department = enum.auto()
        kindName = enum.auto()  # noqa: N815
        offlineAllowed = enum.auto()  # noqa: N815
        icon = enum.auto()

    def __init__(self, catalogue: Catalogue, language: Callable[[], str]) -> None:
        super().__init__(language)
        self._catalogue = catalogue

    def _value(self, s: Service, role: Role) -> Any:
        lang = self._language()
        dept = self._catalogue.department(s.department_id)
        R = self.Role
        if role == R.code:
            return s.code
        if role == R.name:
            return pick(lang, s.name, s.name_en)
        if role == R.nameAlt:
            return s.name_en if lang != "en" else s.name
        if role == R.summary:
            return s.summary
        if role == R.department:
            return pick(lang, dept.name, dept.name_en)
        if role == R.kindName:
            return s.kind_name
        if role == R.offlineAllowed:
            return s.offline_allowed
        return dept.icon


class DepartmentListModel(_ListModel):
    class Role(enum.IntEnum):
        deptId = Qt.ItemDataRole.UserRole + 1  # noqa: N815
        name = enum.auto()
        nameAlt = enum.auto()  # noqa: N815
        icon = enum.auto()
        serviceCount = enum.auto()  # noqa: N815

    def __init__(self, catalogue: Catalogue, language: Callable[[], str]) -> None:
        super().__init__(language)
        self._catalogue = catalogue

    def _value(self, d: Department, role: Role) -> Any:
        lang = self._language()
        R = self.Role
        if role == R.deptId:
            return d.id
        if role == R.name:
            return pick(lang, d.name, d.name_en)
        if role == R.nameAlt:
            return d.name_en if lang != "en" else d.name
        if role == R.icon:
            return d.icon
        return len(self._catalogue.services_in(d.id))


class BundleListModel(_ListModel):
    class Role(enum.IntEnum):
        bundleId = Qt.ItemDataRole.UserRole + 1  # noqa: N815
        name = enum.auto()
        nameAlt = enum.auto()  # noqa: N815
        description = enum.auto()
        icon = enum.auto()
        serviceCount = enum.auto()  # noqa: N815

    def _value(self, b: Bundle, role: Role) -> Any:
        lang = self._language()
        R = self.Role
        if role == R.bundleId:
            return b.id
        if role == R.name:
            return pick(lang, b.name, b.name_en)
        if role == R.nameAlt:
            return b.name_en if lang != "en" else b.name
        if role == R.description:
            return b.description
        if role == R.icon:
            return b.icon
        return len(b.service_codes)
