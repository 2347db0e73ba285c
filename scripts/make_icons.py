"""Generate the web app's icons (SVG and the PNG sizes install prompts want) from one drawing.

    python scripts/make_icons.py

The drawing is a barbell in rectangles, so the PNGs are rasterised here with the standard
library alone (zlib), with no image toolchain.
"""

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/ironlog/web/static/icons"
BACKGROUND = (0x10, 0x14, 0x18)
ACCENT = (0xFF, 0x8A, 0x1F)
LIGHT = (0xF5, 0xF6, 0xF8)
# (x, y, width, height, colour) on a 100x100 canvas: the bar, two plates each side, the collars.
SHAPES = [
    (8, 47, 84, 6, LIGHT),
    (18, 28, 8, 44, ACCENT),
    (74, 28, 8, 44, ACCENT),
    (28, 35, 6, 30, ACCENT),
    (66, 35, 6, 30, ACCENT),
    (35, 44, 3, 12, LIGHT),
    (62, 44, 3, 12, LIGHT),
]


def svg() -> str:
    def hex_colour(colour: tuple[int, int, int]) -> str:
        return "#" + "".join(f"{part:02x}" for part in colour)

    rects = "".join(
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="1.5" fill="{hex_colour(c)}"/>'
        for x, y, w, h, c in SHAPES
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" rx="22" fill="{hex_colour(BACKGROUND)}"/>{rects}</svg>\n'
    )


def png(size: int) -> bytes:
    scale = size / 100
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            x, y = px / scale, py / scale
            colour = BACKGROUND
            for sx, sy, w, h, c in SHAPES:
                if sx <= x < sx + w and sy <= y < sy + h:
                    colour = c
            row += bytes(colour)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon.svg").write_text(svg())
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size))


if __name__ == "__main__":
    main()
