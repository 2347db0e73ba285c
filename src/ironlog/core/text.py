"""Folding names for search: what a lifter types against what a name says.

A name is folded word by word: NFKD with the accents dropped, case-folded, split on anything
that is not a letter or a digit (hyphens, spaces, punctuation), apostrophes dropped inside a
word, plurals made singular, and the gym's abbreviations spelled out ("db" is "dumbbell").
The words are then joined without spaces, so "Pull-Up", "pull up", "pullups" and "PULLUP" all
fold to `pullup`.

A **search key** holds the folded forms of a name and its aliases, and the folded rest of each
form from every word on, in one string that SQL can match with plain `LIKE` patterns:

    |pullup|chinup| up

`|form|` marks a whole name or alias (an exact match is `LIKE '%|q|%'`, a prefix
`LIKE '%|q%'`), and ` rest` the places where a word starts inside a form (`LIKE '% q%'`). A
folded query holds only letters and digits, so it can never contain `|`, a space or a `LIKE`
wildcard. docs/exercises.md explains the ranking built on these patterns.
"""

import enum
import re
import unicodedata
from collections.abc import Iterable

# PostgreSQL refuses B-tree entries past about 2,700 bytes; 600 characters of up to 4 bytes fit.
SEARCH_KEY_MAX = 600

_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"(?<=\w)['’](?=\w)")
# Abbreviations lifters type for whole words.
_SPELLED_OUT = {"db": "dumbbell", "bb": "barbell", "kb": "kettlebell"}
# Plurals the suffix rules below get wrong.
_IRREGULAR = {"calves": "calf", "halves": "half", "feet": "foot", "teeth": "tooth"}
_KEEP_FINAL_S = ("ss", "us", "is")


def singular(word: str) -> str:
    """A folded word without its English plural ending: "flies" -> "fly", "crunches" ->
    "crunch", "pullups" -> "pullup"; "press", "biceps"-like Latin ("gluteus") are kept."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) < 3 or not word.endswith("s") or word.endswith(_KEEP_FINAL_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zzes", "yes")):
        return word[:-2]
    return word[:-1]


def fold_words(text: str) -> list[str]:
    """The words of `text` as search compares them (see the module's docstring)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = _APOSTROPHES.sub("", plain.casefold())
    words = (singular(word) for word in _WORD.findall(plain))
    return [_SPELLED_OUT.get(word, word) for word in words]


def fold(text: str) -> str:
    """The folded form of a name or a query: its folded words run together."""
    return "".join(fold_words(text))


def search_key(names: Iterable[str]) -> str:
    """The search key of an exercise from its name and then its aliases (see the docstring).

    Parts are added in order while they fit in SEARCH_KEY_MAX characters: the forms first (the
    name's before its aliases'), then the word starts."""
    forms: list[str] = []
    starts: list[str] = []
    for name in names:
        words = fold_words(name)
        forms.append("".join(words))
        starts.extend("".join(words[index:]) for index in range(1, len(words)))
    key = "|"
    for form in dict.fromkeys(form for form in forms if form):
        if len(key) + len(form) + 1 > SEARCH_KEY_MAX:
            break
        key += f"{form}|"
    for start in dict.fromkeys(start for start in starts if start):
        if len(key) + len(start) + 1 > SEARCH_KEY_MAX:
            break
        key += f" {start}"
    return key


def key_forms(key: str) -> list[str]:
    """The folded names and aliases in a search key, the name first."""
    return [form for form in key.split(" ", 1)[0].split("|") if form]


def key_terms(key: str) -> list[str]:
    """Every place a word starts in a search key's forms, as the folded rest of the form."""
    forms, _, starts = key.partition(" ")
    return [term for term in (*forms.split("|"), *starts.split(" ")) if term]


def typo_limit(query: str) -> int:
    """How many typos a folded query may hold and still match: none under 4 characters, one
    under 8, two from there."""
    if len(query) < 4:
        return 0
    return 1 if len(query) < 8 else 2


def _bigrams(text: str) -> set[str]:
    return {text[index : index + 2] for index in range(len(text) - 1)}


def prefix_distance(query: str, term: str, limit: int, *, whole: bool = False) -> int:
    """The fewest edits (insert, delete, substitute, swap two neighbours) that turn `query`
    into some prefix of `term` (into all of it with `whole`); `limit + 1` as soon as it is
    known to exceed `limit`."""
    width = min(len(term), len(query) + limit)
    if whole and width < len(term):
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(width + 1))
    for row in range(1, len(query) + 1):
        current = [row] + [0] * width
        for column in range(1, width + 1):
            cost = 0 if query[row - 1] == term[column - 1] else 1
            best = min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + cost)
            if (
                row > 1
                and column > 1
                and query[row - 1] == term[column - 2]
                and query[row - 2] == term[column - 1]
            ):
                best = min(best, previous_previous[column - 2] + 1)
            current[column] = best
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    ends = [previous[width]] if whole else previous[max(0, len(query) - limit) :]
    return min(ends) if ends else limit + 1


class Typo(enum.IntEnum):
    """How a query matched a search key within its typo limit: the better, the lower."""

    WHOLE = 0  # a whole name or alias
    WORD = 1  # the start of a word


def typo_match(query: str, key: str) -> Typo | None:
    """Whether a folded query is, within `typo_limit` typos, a whole name or alias of the key,
    or the start of one of its words; None when it is neither."""
    limit = typo_limit(query)
    if not limit:
        return None
    query_bigrams = _bigrams(query)
    # An edit spoils at most three of the query's bigrams (a swap): a quick test first.
    needed = max(1, len(query_bigrams) - 3 * limit)
    forms = set(key_forms(key))
    found: Typo | None = None
    for term in key_terms(key):
        if len(term) < len(query) - limit:
            continue
        window = term[: len(query) + limit]
        if len(query_bigrams & _bigrams(window)) < needed:
            continue
        if term in forms and prefix_distance(query, term, limit, whole=True) <= limit:
            return Typo.WHOLE
        if found is None and prefix_distance(query, term, limit) <= limit:
            found = Typo.WORD
    return found
