"""Real QML rendered offscreen: every shell screen in both orientations (and 长辈版), saved
as PNG under artifacts/screenshots for a person to look at, and checked for what a person
would notice: a blank screen, Chinese that renders as tofu, text cut off at the edge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QFontInfo, QFontMetrics, QImage
from PySide6.QtQuick import QQuickItem

from kiosk.bootstrap import build
from kiosk.config import load_config
from kiosk.journey import Journey
from kiosk.logsetup import shutdown_logging
from ui.app import FONT_FAMILY, KioskWindow, create_window

SCREENS = ["attract", "home", "department", "bundle", "search", "guide", "countdown"]


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["portrait", "landscape"])
def kiosk(request: pytest.FixtureRequest, qapp: object, tmp_path: Path,
          clock: Clock) -> Iterator[KioskWindow]:
    cfg = load_config(env={}, overrides={"data_dir": str(tmp_path),
                                         "ui.orientation": request.param})
    core = build(cfg, console_log=False, with_sync=False)
    core.journey = Journey(core.catalogue, inactivity_timeout_s=cfg.ui.inactivity_timeout_s,
                           countdown_s=cfg.ui.countdown_s, clock=clock)
    kw = create_window(core)
    yield kw
    kw.close()
    shutdown_logging()


def text_items(root: QQuickItem) -> Iterator[QQuickItem]:
    stack = [root]
    while stack:
        item = stack.pop()
        if not item.isVisible() or item.opacity() == 0:
            continue
        if item.metaObject().className().startswith("QQuickText") and item.property("text"):
            yield item
        stack.extend(item.childItems())


def go(kw: KioskWindow, screen: str, clock: Clock) -> None:
    vm, cat = kw.view_model, kw.view_model._catalogue
    if vm.screen not in ("attract", "home"):
        vm.goHome()
    if screen == "attract":
        vm.endSession()
        return
    vm.wake()
    if screen == "department":
        vm.openDepartment(cat.departments[0].id)
    elif screen == "bundle":
        vm.openBundle(cat.bundles[0].id)
    elif screen == "search":
        vm.search("hkqc")
    elif screen == "guide":
        vm.openService(max(cat.services, key=lambda s: len(s.materials)).code)
    elif screen == "countdown":
        vm.openService(cat.services[0].code)
        clock.t += kw.view_model._journey.timeout_s - 25  # 25 s left: the warning shows
        vm.tick()


def grab(qtbot, kw: KioskWindow) -> QImage:  # type: ignore[no-untyped-def]
    qtbot.wait(60)  # let bindings settle and a frame render
    image = kw.window.grabWindow()
    assert not image.isNull()
    return image


def distinct_colours(image: QImage, step: int = 7) -> int:
    small = image.scaled(image.width() // step, image.height() // step)
    return len({small.pixel(x, y) for x in range(small.width()) for y in range(small.height())})


def check_text(kw: KioskWindow) -> list[str]:
    """Problems a person would see: tofu (a glyph the font lacks), text off the edge,
    text elided."""
    problems = []
    width = kw.window.width()
    for item in text_items(kw.window.contentItem()):
        text = str(item.property("text"))
        font = item.property("font")
        metrics = QFontMetrics(font)
        missing = {c for c in text if not c.isspace() and not metrics.inFontUcs4(ord(c))}
        if missing:
            problems.append(f"no glyph for {''.join(sorted(missing))!r} in {text[:30]!r}")
        top_left = item.mapToScene(item.boundingRect().topLeft())
        right = top_left.x() + min(item.width(), item.property("contentWidth") or item.width())
        if top_left.x() < -1 or right > width + 1:
            problems.append(f"off screen ({top_left.x():.0f}..{right:.0f}): {text[:30]!r}")
        if item.property("truncated"):
            problems.append(f"elided: {text[:40]!r}")
    return problems


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_every_shell_screen_renders_readably(qtbot, kiosk: KioskWindow, artifacts_dir: Path,  # type: ignore[no-untyped-def]
                                             clock: Clock, elder: bool, language: str,
                                             english: None) -> None:
    out = artifacts_dir / "screenshots"
    out.mkdir(exist_ok=True)
    orientation = kiosk.view_model.orientation
    qtbot.waitExposed(kiosk.window)
    # the CJK font is installed and resolves to itself, not to a fallback without hanzi
    assert QFontInfo(QFont(FONT_FAMILY)).family() == FONT_FAMILY
    for screen in SCREENS:
        if elder and screen != "attract":
            kiosk.view_model.wake()
            kiosk.view_model.setElderMode(True)
        if language != "zh_CN" and screen != "attract":
            kiosk.view_model.wake()
            kiosk.view_model.setLanguage(language)
        go(kiosk, screen, clock)
        expected = "guide" if screen == "countdown" else screen
        assert kiosk.view_model.screen == expected
        assert kiosk.view_model.countdownVisible == (screen == "countdown")
        image = grab(qtbot, kiosk)
        suffix = "" if language == "zh_CN" else f"-{language}"
        name = f"{orientation}-{'elder' if elder else 'standard'}{suffix}-{screen}.png"
        assert image.save(str(out / name))
        assert image.width() == (1920 if orientation == "landscape" else 1080)
        assert distinct_colours(image) > 20, f"{name} looks blank"
        # the header / title band must carry drawn text, not just the background colour
        band = image.copy(0, 0, image.width(), 130 if screen != "attract" else image.height())
        assert distinct_colours(band, step=3) > 8, f"{name}: no title text rendered"
        problems = check_text(kiosk)
        assert problems == [], f"{name}: {problems}"
        small = check_touch_targets(kiosk, kiosk.view_model._config.ui.screen_dpi)
        assert small == [], f"{name}: {small}"


def touch_targets(root: QQuickItem) -> Iterator[tuple[QQuickItem, str]]:
    """Visible, enabled things a finger can press: buttons, text fields, and items with a
    TapHandler (tiles, rows, tick boxes)."""
    stack = [root]
    while stack:
        item = stack.pop()
        if not item.isVisible() or item.opacity() == 0 or not item.isEnabled():
            continue
        if item.inherits("QQuickAbstractButton"):
            yield item, "button"
        elif item.inherits("QQuickTextInput") or item.inherits("QQuickTextEdit"):
            yield item, "text field"
        elif item is not root and item.width() > 0 and item.height() > 0 and any(
                c.metaObject().className() == "QQuickTapHandler" and bool(c.property("enabled"))
                for c in item.children()):
            yield item, "tap area"
        stack.extend(item.childItems())


def check_touch_targets(kw: KioskWindow, dpi: float, min_mm: float = 9.0) -> list[str]:
    """Targets smaller than ``min_mm`` on either side at the configured screen density."""
    min_px = min_mm / 25.4 * dpi
    problems = []
    for item, what in touch_targets(kw.window.contentItem()):
        w, h = item.width(), item.height()
        if w < min_px or h < min_px:
            label = str(item.property("text") or item.metaObject().className())[:30]
            problems.append(f"{what} {label!r} is {w:.0f}x{h:.0f} px < {min_px:.0f} px")
    return problems
