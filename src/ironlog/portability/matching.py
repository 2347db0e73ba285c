"""Matching the exercise names of trackers' files to the caller's visible exercises.

Names are compared like everywhere in IronLog (`name_key`: case-folded, single spaces), then as
search folds them (`core.text.fold`: case, accents, spaces, hyphens, punctuation and plurals
ignored) against every visible exercise's name **and the library's aliases**, so "Pull Up" is
"Pull-Up" and "Nordic Curl" is "Nordic Hamstring Curl". The trackers' "Name (Equipment)"
convention is understood: "Bench Press (Barbell)" is the system "Bench Press" (BARBELL), "Bench
Press (Dumbbell)" is "Dumbbell Bench Press" (the library puts equipment other than the most
common one in front of the name), and an unknown suffix is tried in front of the name too
("Running (Treadmill)" is "Treadmill Running", an alias of "Treadmill Run").
`src/ironlog/data/import_names.json` lists the trackers' names this must map, and
docs/import-export.md every rule.
"""

import itertools
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from ironlog.core.text import fold, key_forms
from ironlog.exercises.names import name_key
from ironlog.models import Modality


@dataclass(frozen=True, slots=True)
class Known:
    """An exercise the caller can see."""

    id: uuid.UUID
    name: str
    modality: Modality
    is_system: bool
    search_key: str = ""  # its name and aliases folded (core/text.py); "" is its name's

    def forms(self) -> list[str]:
        return key_forms(self.search_key) if self.search_key else [fold(self.name)]


@dataclass(frozen=True, slots=True)
class Equipment:
    prefixes: tuple[str, ...]  # how the library names this equipment in front of a name
    modality: Modality  # the modality of a new exercise with this suffix
    base_modalities: frozenset[Modality]  # the unprefixed name matches when it has one of these


def _equipment(prefixes: tuple[str, ...], modality: Modality, *base: Modality) -> Equipment:
    return Equipment(prefixes, modality, frozenset(base))


EQUIPMENT = {
    "barbell": _equipment(("Barbell",), Modality.BARBELL, Modality.BARBELL),
    "ez bar": _equipment(("EZ-Bar", "Barbell"), Modality.BARBELL, Modality.BARBELL),
    "ez curl bar": _equipment(("EZ-Bar", "Barbell"), Modality.BARBELL, Modality.BARBELL),
    "trap bar": _equipment(("Trap Bar",), Modality.BARBELL),
    "dumbbell": _equipment(("Dumbbell",), Modality.DUMBBELL, Modality.DUMBBELL),
    "kettlebell": _equipment(("Kettlebell",), Modality.DUMBBELL, Modality.DUMBBELL),
    "cable": _equipment(("Cable",), Modality.CABLE, Modality.CABLE),
    "band": _equipment(("Band", "Resistance Band"), Modality.CABLE, Modality.CABLE),
    "resistance band": _equipment(("Band", "Resistance Band"), Modality.CABLE, Modality.CABLE),
    "machine": _equipment(("Machine",), Modality.MACHINE, Modality.MACHINE),
    "plate loaded": _equipment(("Machine",), Modality.MACHINE, Modality.MACHINE),
    "smith machine": _equipment(("Smith Machine",), Modality.MACHINE),
    "bodyweight": _equipment(("Bodyweight",), Modality.BODYWEIGHT, Modality.BODYWEIGHT),
    "weighted": _equipment(("Weighted",), Modality.BODYWEIGHT, Modality.BODYWEIGHT),
    "assisted": _equipment(("Assisted",), Modality.MACHINE),
}
KEYWORDS = {
    "barbell": Modality.BARBELL,
    "dumbbell": Modality.DUMBBELL,
    "dumbbells": Modality.DUMBBELL,
    "kettlebell": Modality.DUMBBELL,
    "cable": Modality.CABLE,
    "band": Modality.CABLE,
    "machine": Modality.MACHINE,
    "smith": Modality.MACHINE,
    "sled": Modality.MACHINE,
    "bodyweight": Modality.BODYWEIGHT,
}
_SUFFIX = re.compile(r"^(?P<base>.+?)\s*\((?P<equipment>[^()]+)\)$")


def loose_key(name: str) -> str:
    """`name_key`, with hyphens as spaces and other punctuation dropped: "Pull-Up" = "pull up"."""
    key = name_key(name).replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[^\w ]+", " ", key).split())


def suffix_label(name: str) -> str | None:
    """The parenthesised suffix of a name ("Cable" for "Triceps Pushdown (Cable - Rope)")."""
    match = _SUFFIX.match(name.strip())
    return match.group("equipment").split(" - ")[0] if match else None


def split_suffix(name: str) -> tuple[str, Equipment | None, bool]:
    """("Bench Press", DUMBBELL's equipment, True) for "Bench Press (Dumbbell)".

    The third value tells whether the name had a parenthesised suffix at all (known or not).
    """
    match = _SUFFIX.match(name.strip())
    if not match:
        return name.strip(), None, False
    label = loose_key(match.group("equipment").split(" - ")[0])
    return match.group("base").strip(), EQUIPMENT.get(label), True


class Matcher:
    def __init__(self, exercises: Iterable[Known]) -> None:
        self.exact: dict[str, Known] = {}
        self.folded: dict[str, Known] = {}
        self.library: list[tuple[frozenset[str], str, Modality]] = []
        for exercise in sorted(exercises, key=lambda known: (not known.is_system, known.name)):
            self.add(exercise)

    def add(self, exercise: Known) -> None:
        self.exact.setdefault(name_key(exercise.name), exercise)
        for form in exercise.forms():
            self.folded.setdefault(form, exercise)
        if exercise.is_system:
            self.library.append((_words(exercise.name), exercise.name, exercise.modality))

    def match(self, name: str, *, exact_only: bool = False) -> Known | None:
        found = self.exact.get(name_key(name))
        if found is not None or exact_only:
            return found
        found = self.folded.get(fold(name))
        if found is not None:
            return found
        return self._match_suffixed(name)

    def _match_suffixed(self, name: str) -> Known | None:
        """A "Name (Equipment)" name: the library's equipment prefix, or the bare name when its
        modality fits; None for a name without a suffix."""
        base, equipment, had_suffix = split_suffix(name)
        if not had_suffix:
            return None
        folded_base = fold(base)
        if equipment is None:
            # An unknown suffix may name the equipment or the variant: "Running (Treadmill)"
            # is "Treadmill Running", "Bench Press (Close Grip)" "Close-Grip Bench Press".
            return self.folded.get(fold(suffix_label(name) or "") + folded_base)
        for prefix in equipment.prefixes:
            found = self.folded.get(fold(prefix) + folded_base)
            if found is not None:
                return found
        found = self.folded.get(folded_base)
        if found is not None and found.modality in equipment.base_modalities:
            return found
        return None

    def guess_modality(self, name: str) -> Modality:
        """The modality of a new exercise: from the suffix, a keyword, the unsuffixed name, or the
        library exercise sharing most words; bodyweight when nothing fits."""
        base, equipment, _ = split_suffix(name)
        if equipment is not None:
            return equipment.modality
        words = loose_key(name).split()
        for word in words:
            if word in KEYWORDS:
                return KEYWORDS[word]
        if base != name.strip():
            found = self.match(base)
            if found is not None:
                return found.modality
        return self._closest(_words(base))

    def _closest(self, words: frozenset[str]) -> Modality:
        best: tuple[float, str] | None = None
        modality = Modality.BODYWEIGHT
        for library_words, library_name, library_modality in self.library:
            shared = len(words & library_words)
            if not shared:
                continue
            score = shared / len(words | library_words)
            if best is None or (-score, library_name) < (-best[0], best[1]):
                best = (score, library_name)
                modality = library_modality
        return modality


def _words(name: str) -> frozenset[str]:
    """The words of a name and each pair joined ("push down" also gives "pushdown")."""
    words = loose_key(name).split()
    return frozenset(words + [a + b for a, b in itertools.pairwise(words)])
