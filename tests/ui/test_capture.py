"""``ui.capture.to_qimage``: the frame's pixels in RGB order, whatever the line padding."""

from __future__ import annotations

import numpy as np
import pytest

from ui.capture import to_qimage


@pytest.mark.parametrize("width", [7, 959, 960])  # 3 × width not a multiple of 4: padded lines
def test_to_qimage_swaps_channels_into_an_independent_image(width: int) -> None:
    rng = np.random.default_rng(width)
    frame = rng.integers(0, 256, (31, width, 3), dtype=np.uint8)
    image = to_qimage(frame)
    frame[:] = 0  # the image owns its pixels
    expected = np.random.default_rng(width).integers(0, 256, (31, width, 3), dtype=np.uint8)
    assert (image.width(), image.height()) == (width, 31)
    for x, y in ((0, 0), (width - 1, 30), (width // 2, 11)):
        assert image.pixelColor(x, y).getRgb()[:3] == tuple(int(c) for c in expected[y, x, ::-1])


def test_to_qimage_takes_a_strided_view() -> None:
    frame = np.arange(6 * 10 * 3, dtype=np.uint8).reshape(6, 10, 3)
    view = frame[::2, 1::3]
    image = to_qimage(view)
    assert (image.width(), image.height()) == (view.shape[1], view.shape[0])
    assert image.pixelColor(2, 1).getRgb()[:3] == tuple(int(c) for c in view[1, 2, ::-1])
