"""The ID-card photo: a port for the licensed WLT decoder, and a stub.

The reader returns the holder's photo as 1,024 bytes of "WLT" data — wavelet-compressed
*and encrypted* (``reference/devices.md`` §A.8). Only the licensed library decodes it
(Windows ``WltRS.dll``, Linux vendor ``libwlt2bmp.so`` / ``libtermb.so``, Android vendor
service); its output is a 102 × 126 24-bit BMP of 38,862 bytes. No such library is shipped
with this project, so the default is :class:`NullPhotoDecoder` and the kiosk shows no photo.

Integration point (for whoever holds the vendor licence)::

    class VendorWltDecoder(PhotoDecoder):
        def __init__(self, library: str = "libwlt2bmp.so") -> None:
            self._lib = ctypes.CDLL(library)       # load lazily, never at import time
        def decode(self, wlt: bytes) -> bytes | None:
            ...call the vendor function, return the BMP bytes or None...

    SerialIdCardReader(port, photo_decoder=VendorWltDecoder())
    # or in the configuration, as a "module:Class" string loaded lazily:
    #   [devices.idcard.options]
    #   photo_decoder = "vendor_wlt:VendorWltDecoder"

Rules for an implementation:

* keep everything in memory: the WLT and the BMP are personal data (个人信息保护法) and must
  never be written to disk. Several vendor functions take *file names*; give them an
  anonymous in-memory file (``os.memfd_create`` and its ``/proc/self/fd/N`` path on Linux)
  rather than a file in a temporary directory;
* return ``None`` (not raise) when the data cannot be decoded; an exception is caught by the
  reader, logged without the data, and the card is delivered without a photo;
* be thread-safe or serialise internally: the reader calls it from its polling thread;
* never log the bytes.
"""

from __future__ import annotations

import abc
import importlib

from kiosk.errors import DeviceUnavailableError

#: Size of the decoded image: 54-byte header + 102 × 126 × 3 + 126 × 2 row padding.
BMP_SIZE = 38_862
WLT_SIZE = 1024


class PhotoDecoder(abc.ABC):
    """Turns the card's encrypted WLT photo into an image (BMP bytes), or ``None``."""

    @abc.abstractmethod
    def decode(self, wlt: bytes) -> bytes | None: ...


class NullPhotoDecoder(PhotoDecoder):
    """No vendor library: there is never a photo."""

    def decode(self, wlt: bytes) -> bytes | None:
        return None


def load_photo_decoder(spec: str) -> PhotoDecoder:
    """Instantiate a decoder from ``"module:Class"`` (the class takes no arguments)."""
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise DeviceUnavailableError(f"photo decoder {spec!r}: expected 'module:Class'")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
        decoder = cls()
    except Exception as err:  # ImportError, AttributeError, a failing vendor library…
        raise DeviceUnavailableError(f"photo decoder {spec!r} cannot be loaded: {err}") \
            from err
    if not isinstance(decoder, PhotoDecoder):
        raise DeviceUnavailableError(f"photo decoder {spec!r} is not a PhotoDecoder")
    return decoder
