#!/usr/bin/env python3
"""Rebuilds the fallback fonts in assets/fonts/: subsets holding every character the bundled data,
basemap and UI use that egui's built-in fonts may lack. `atlas-fallback-latin-cyrillic.ttf` comes
from DejaVu Sans (Kazakh Cyrillic letters, Latin transliterations); `atlas-fallback-cjk.otf` from
Noto Sans CJK SC (Chinese names).

Needs the Debian packages fonts-dejavu-core and fonts-noto-cjk and the Python package fonttools. Run it again after
adding data in a new script: `python3 assets/fonts/build_fonts.py`.
"""

import pathlib

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = pathlib.Path(__file__).resolve().parents[2]
CJK_SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_OUT = ROOT / "assets" / "fonts" / "atlas-fallback-cjk.otf"
LATIN_SOURCE = pathlib.Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LATIN_OUT = ROOT / "assets" / "fonts" / "atlas-fallback-latin-cyrillic.ttf"


def used_characters() -> set[str]:
    chars: set[str] = set()
    for pattern in ("assets/data/*.json", "assets/data/*.geojson", "assets/basemap/*.geojson", "src/**/*.rs"):
        for path in ROOT.glob(pattern):
            chars.update(path.read_text(encoding="utf-8"))
    # Printable ASCII too: slide exports render all their text with these fonts.
    return {c for c in chars if ord(c) >= 0x80} | {chr(c) for c in range(0x20, 0x7F)}


def simplified_chinese_index() -> int:
    collection = TTCollection(str(CJK_SOURCE))
    for index, font in enumerate(collection.fonts):
        if "SC" in font["name"].getDebugName(4):
            return index
    raise SystemExit("no SC face in " + str(CJK_SOURCE))


def write_subset(source: pathlib.Path, out: pathlib.Path, chars: set[str], font_number: int = 0) -> set[str]:
    """Writes the subset of `source` covering `chars`; returns the characters it could not cover."""
    options = subset.Options()
    options.font_number = font_number
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    cmap = font.getBestCmap()
    covered = {c for c in chars if ord(c) in cmap}
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(covered)))
    subsetter.subset(font)
    subset.save_font(font, str(out), options)
    print(f"{out.name}: {len(covered)} characters, {out.stat().st_size / 1024:.0f} KiB")
    return chars - covered


def main():
    chars = used_characters()
    rest = write_subset(LATIN_SOURCE, LATIN_OUT, chars)
    missing = write_subset(CJK_SOURCE, CJK_OUT, rest, simplified_chinese_index())
    if missing:
        print("covered by neither font:", "".join(sorted(missing)))


if __name__ == "__main__":
    main()
