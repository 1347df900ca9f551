"""A strict decoder for the ESC/POS subset the kiosk emits, so tests assert on content.

``decode(data)`` walks the bytes like a printer would and returns a ``Decoded`` with, in
order, ``TextLine`` (text decoded as GB18030 when Chinese mode is on, else ASCII only — a
non-ASCII byte outside Chinese mode is an error, which is exactly the MagicEncode trap),
``Raster`` (``GS v 0`` images as 1-bit Pillow images), ``QrCode`` (assembled from the
``GS ( k`` functions), ``Feed``, ``Cut`` and ``StatusQuery`` items, plus the sequence of
mode switches. Unknown commands raise ``DecodeError``: new output must be taught here first.

``to_png(decoded, paper_dots)`` draws a preview (text with a CJK font, rasters as sent, QR
codes regenerated) so a person can look at a slip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont


class DecodeError(ValueError):
    pass


@dataclass(frozen=True)
class TextLine:
    text: str
    raw: bytes
    align: str
    bold: bool
    width_mult: int
    height_mult: int
    chinese: bool

    @property
    def columns(self) -> int:
        """Columns used: one per byte (a GB18030 double-byte character is full width)."""
        return len(self.raw) * self.width_mult


@dataclass(frozen=True)
class Raster:
    width: int
    height: int
    image: Image.Image


@dataclass(frozen=True)
class QrCode:
    data: str
    module: int
    ec: str
    model: int


@dataclass(frozen=True)
class Feed:
    lines: int


@dataclass(frozen=True)
class Cut:
    partial: bool


@dataclass(frozen=True)
class StatusQuery:
    n: int


Item = TextLine | Raster | QrCode | Feed | Cut | StatusQuery


@dataclass
class Decoded:
    items: list[Item] = field(default_factory=list)
    switches: list[str] = field(default_factory=list)  # "init", "chinese_on", "chinese_off"

    @property
    def lines(self) -> list[str]:
        return [i.text for i in self.items if isinstance(i, TextLine)]

    @property
    def text_lines(self) -> list[TextLine]:
        return [i for i in self.items if isinstance(i, TextLine)]

    @property
    def rasters(self) -> list[Raster]:
        return [i for i in self.items if isinstance(i, Raster)]

    @property
    def qr_codes(self) -> list[QrCode]:
        return [i for i in self.items if isinstance(i, QrCode)]

    @property
    def cuts(self) -> list[Cut]:
        return [i for i in self.items if isinstance(i, Cut)]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


class _Decoder:
    def __init__(self, data: bytes) -> None:
        self.d = data
        self.i = 0
        self.out = Decoded()
        self.buf = bytearray()
        self.reset()
        self.qr_store = b""
        self.qr_module = 3
        self.qr_ec = "L"
        self.qr_model = 2

    def reset(self) -> None:
        self.align = "left"
        self.bold = False
        self.wm = self.hm = 1
        self.chinese = False

    def need(self, n: int) -> bytes:
        if self.i + n > len(self.d):
            raise DecodeError(f"truncated command at offset {self.i}")
        chunk = self.d[self.i:self.i + n]
        self.i += n
        return chunk

    def flush(self, force: bool = False) -> None:
        if not self.buf and not force:
            return
        raw = bytes(self.buf)
        self.buf.clear()
        if self.chinese:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError as err:
                raise DecodeError(f"invalid GB18030 in {raw!r}") from err
        else:
            if any(b >= 0x80 for b in raw):
                raise DecodeError(f"non-ASCII bytes outside Chinese mode: {raw!r}")
            text = raw.decode("ascii")
        self.out.items.append(TextLine(text, raw, self.align, self.bold, self.wm, self.hm,
                                       self.chinese))

    def run(self) -> Decoded:
        while self.i < len(self.d):
            b = self.d[self.i]
            self.i += 1
            if b == 0x0A:
                self.flush(force=True)
            elif b == 0x0D:
                continue
            elif b == 0x1B:
                self.esc()
            elif b == 0x1D:
                self.gs()
            elif b == 0x1C:
                self.fs()
            elif b == 0x10:
                if self.need(1) != b"\x04":
                    raise DecodeError(f"unknown DLE command at {self.i - 1}")
                self.out.items.append(StatusQuery(self.need(1)[0]))
            elif b < 0x20:
                raise DecodeError(f"unexpected control byte 0x{b:02X} at {self.i - 1}")
            else:
                if self.chinese and b >= 0x81:
                    # one double-byte (or four-byte) character: never split a command inside
                    second = self.need(1)
                    self.buf += bytes((b,)) + second
                    if 0x30 <= second[0] <= 0x39:
                        self.buf += self.need(2)
                else:
                    self.buf.append(b)
        if self.buf:
            raise DecodeError(f"text without line feed at the end: {bytes(self.buf)!r}")
        return self.out

    def esc(self) -> None:
        c = self.need(1)[0]
        if c == 0x40:  # ESC @
            self.flush()
            self.reset()
            self.out.switches.append("init")
        elif c == 0x21:  # ESC ! n (ANK print mode)
            n = self.need(1)[0]
            self.bold = bool(n & 0x08)
            self.hm = 2 if n & 0x10 else 1
            self.wm = 2 if n & 0x20 else 1
        elif c == 0x45:
            self.bold = bool(self.need(1)[0] & 1)
        elif c == 0x2D:
            self.need(1)
        elif c == 0x61:
            self.align = _ALIGN[self.need(1)[0]]
        elif c == 0x64:  # ESC d n: print and feed n lines
            self.flush()
            self.out.items.append(Feed(self.need(1)[0]))
        elif c == 0x32:
            pass
        elif c in (0x33, 0x4D, 0x74, 0x47):
            self.need(1)
        else:
            raise DecodeError(f"unknown ESC 0x{c:02X} at {self.i - 2}")

    def gs(self) -> None:
        c = self.need(1)[0]
        if c == 0x21:  # GS ! n
            n = self.need(1)[0]
            self.wm = (n >> 4) + 1
            self.hm = (n & 0x0F) + 1
        elif c == 0x56:  # GS V m [n]
            self.flush()
            m = self.need(1)[0]
            if m in (65, 66):
                self.need(1)
            self.out.items.append(Cut(partial=m in (1, 49, 66)))
        elif c == 0x76:  # GS v 0 m xL xH yL yH d...
            self.flush()
            if self.need(1) != b"0":
                raise DecodeError("GS v: only GS v 0 is known")
            self.need(1)
            xl, xh, yl, yh = self.need(4)
            wb, h = xl + 256 * xh, yl + 256 * yh
            data = self.need(wb * h)
            # ESC/POS: bit 1 = black; Pillow's "1" mode: bit 1 = white → invert
            img = Image.frombytes("1", (wb * 8, h), data).convert("L").point(
                lambda v: 255 - v)
            self.out.items.append(Raster(wb * 8, h, img))
        elif c == 0x28:
            fn_class = self.need(1)
            pl, ph = self.need(2)
            body = self.need(pl + 256 * ph)
            if fn_class == b"k":
                self.qr(body)
            else:
                raise DecodeError(f"unknown GS ( {fn_class!r}")
        else:
            raise DecodeError(f"unknown GS 0x{c:02X} at {self.i - 2}")

    def qr(self, body: bytes) -> None:
        cn, fn = body[0], body[1]
        if cn != 0x31:
            raise DecodeError("GS ( k: only QR (cn=49) is known")
        if fn == 0x41:
            self.qr_model = body[2] - 48
        elif fn == 0x43:
            self.qr_module = body[2]
        elif fn == 0x45:
            self.qr_ec = _EC[body[2]]
        elif fn == 0x50:
            self.qr_store = body[3:]
        elif fn == 0x51:
            self.flush()
            self.out.items.append(QrCode(self.qr_store.decode("utf-8"), self.qr_module,
                                         self.qr_ec, self.qr_model))
        else:
            raise DecodeError(f"GS ( k: unknown function {fn}")

    def fs(self) -> None:
        c = self.need(1)[0]
        if c == 0x26:
            self.flush()
            self.chinese = True
            self.out.switches.append("chinese_on")
        elif c == 0x2E:
            self.flush()
            self.chinese = False
            self.out.switches.append("chinese_off")
        elif c in (0x21, 0x2D):
            self.need(1)
        else:
            raise DecodeError(f"unknown FS 0x{c:02X}")


def decode(data: bytes) -> Decoded:
    return _Decoder(data).run()


# -- preview -------------------------------------------------------------------------------

_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(_FONT, px)
    except OSError:
        return ImageFont.load_default(size=px)


def _cell(ch: str, w: int, h: int, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
          bold: bool) -> Image.Image:
    """One character squeezed into its printer cell (Latin capitals are wider than 12)."""
    canvas = Image.new("L", (w * 3, h), 255)
    draw = ImageDraw.Draw(canvas)
    sw = 1 if bold else 0
    left, _t, right, _b = draw.textbbox((0, h - 7), ch, font=font, anchor="ls", stroke_width=sw)
    gw = max(right - left, 1)
    draw.text((-left + max(0, (w - gw) // 2), h - 7), ch, font=font, fill=0, anchor="ls",
              stroke_width=sw, stroke_fill=0)
    if gw <= w:
        return canvas.crop((0, 0, w, h))
    return canvas.crop((0, 0, gw, h)).resize((w, h))


def to_png(decoded: Decoded, paper_dots: int, path: Path) -> Image.Image:
    """Draw what the printer would print (approximately) and save it as PNG."""
    import qrcode

    margin = 16
    pieces: list[Image.Image] = []
    for item in decoded.items:
        if isinstance(item, TextLine):
            h = 30 * item.height_mult
            img = Image.new("L", (paper_dots, h), 255)
            font = _font(22 * item.height_mult)
            col_w = 12 * item.width_mult
            used = item.columns
            x0 = {"left": 0, "center": (paper_dots - used * 12) // 2,
                  "right": paper_dots - used * 12}[item.align]
            x = x0
            for ch in item.text:
                w = (1 if ord(ch) < 0x80 else 2) * col_w
                img.paste(_cell(ch, w, h, font, item.bold), (x, 0))
                x += w
            pieces.append(img)
        elif isinstance(item, Raster):
            img = Image.new("L", (paper_dots, item.height), 255)
            img.paste(item.image.convert("L"), (0, 0))
            pieces.append(img)
        elif isinstance(item, QrCode):
            code = qrcode.QRCode(box_size=item.module, border=2)
            code.add_data(item.data)
            code.make(fit=True)
            q = code.make_image().get_image().convert("L")
            img = Image.new("L", (paper_dots, q.height), 255)
            img.paste(q, ((paper_dots - q.width) // 2, 0))
            pieces.append(img)
        elif isinstance(item, Feed):
            pieces.append(Image.new("L", (paper_dots, 30 * min(item.lines, 3)), 255))
        elif isinstance(item, Cut):
            img = Image.new("L", (paper_dots, 12), 255)
            draw = ImageDraw.Draw(img)
            for x in range(0, paper_dots, 12):
                draw.line((x, 6, x + 6, 6), fill=0)
            pieces.append(img)
    height = sum(p.height for p in pieces) + 2 * margin
    sheet = Image.new("L", (paper_dots + 2 * margin, height), 235)
    ImageDraw.Draw(sheet).rectangle((margin, margin, margin + paper_dots - 1,
                                     height - margin - 1), fill=255)
    y = margin
    for p in pieces:
        sheet.paste(p, (margin, y))
        y += p.height
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return sheet
