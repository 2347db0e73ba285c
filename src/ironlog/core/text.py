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
from collections.abc import Callable, Iterable

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


def _positions(query: str) -> dict[str, int]:
    """For each character of `query`, the bit mask of where it stands in it."""
    positions: dict[str, int] = {}
    for index, char in enumerate(query):
        positions[char] = positions.get(char, 0) | 1 << index
    return positions


def _distances(query: str, positions: dict[str, int], term: str, limit: int) -> tuple[int, int]:
    """The fewest edits (insert, delete, substitute, swap two neighbours) that turn `query`
    into all of `term`, and into some prefix of it; `limit + 1` for either past `limit`.

    Hyyrö's bit-vector form of the edit-distance table (2003, with the swap): a column of the
    table, one cell per character of the query, is held as bit masks of where a cell is one
    more or one less than the cell above it, and moves to the next character of `term` in a
    few integer operations instead of a loop over the query. The last cell of each column (the
    whole query against that prefix of `term`) is followed as a count. `positions` is
    `_positions(query)`."""
    over = limit + 1
    if not query:
        return min(len(term), over), 0
    width = min(len(term), len(query) + limit)
    every = (1 << len(query)) - 1
    last = 1 << (len(query) - 1)
    rises, falls, previous_match = every, 0, 0  # the first column: 0, 1, 2, ... down
    same = 0  # where a cell equals the one up and left of it
    distance = best = len(query)
    for char in term[:width]:
        match = positions.get(char, 0)
        swapped = ((~same & match) << 1) & previous_match
        same = (((match & rises) + rises) ^ rises) | match | falls | swapped
        grows = falls | (every & ~(same | rises))  # one more than the cell to its left
        shrinks = same & rises  # one less than the cell to its left
        if grows & last:
            distance += 1
        elif shrinks & last:
            distance -= 1
            best = min(best, distance)
        grows = ((grows << 1) | 1) & every
        shrinks = (shrinks << 1) & every
        rises = shrinks | (every & ~(same | grows))
        falls = grows & same
        previous_match = match
    whole = distance if width == len(term) else over
    return min(whole, over), min(best, over)


def prefix_distance(query: str, term: str, limit: int, *, whole: bool = False) -> int:
    """The fewest edits (insert, delete, substitute, swap two neighbours) that turn `query`
    into some prefix of `term` (into all of it with `whole`); `limit + 1` when that is more
    than `limit`."""
    whole_distance, distance = _distances(query, _positions(query), term, limit)
    return whole_distance if whole else distance


class Typo(enum.IntEnum):
    """How a query matched a search key within its typo limit: the better, the lower."""

    WHOLE = 0  # a whole name or alias
    WORD = 1  # the start of a word


def typo_bigrams(query: str) -> tuple[list[str], int]:
    """The bigrams of a folded query, and how many of them a term must hold for `typo_match` to
    look at it, so a key must too: a key holding fewer matches no term. An edit spoils at most
    three of the query's bigrams (a swap)."""
    bigrams = sorted(_bigrams(query))
    return bigrams, max(1, len(bigrams) - 3 * typo_limit(query))


def typo_matcher(query: str) -> Callable[[str], Typo | None]:
    """`typo_match` for one folded query, to try on many keys: the query's part is done once."""
    limit = typo_limit(query)
    bigrams, needed = typo_bigrams(query)
    query_bigrams = set(bigrams)
    positions = _positions(query)
    shortest, longest = len(query) - limit, len(query) + limit

    def match(key: str) -> Typo | None:
        if not limit:
            return None
        # key_forms and key_terms, inline: a search runs this on up to 2,000 keys.
        forms_part, _, starts_part = key.partition(" ")
        forms = forms_part.split("|")
        whole_forms = set(forms)
        found: Typo | None = None
        # A term can repeat (a form is often the rest of a longer one): one look each is enough.
        # The empty ones (around the `|`) are shorter than any query with a typo limit.
        for term in dict.fromkeys((*forms, *starts_part.split(" "))):
            if len(term) < shortest:
                continue
            may_be_whole = len(term) <= longest and term in whole_forms
            if found is not None and not may_be_whole:  # only a whole match can do better
                continue
            if len(query_bigrams & _bigrams(term[:longest])) < needed:
                continue
            whole_distance, distance = _distances(query, positions, term, limit)
            if may_be_whole and whole_distance <= limit:
                return Typo.WHOLE
            if distance <= limit:
                found = Typo.WORD
        return found

    return match


def typo_match(query: str, key: str) -> Typo | None:
    """Whether a folded query is, within `typo_limit` typos, a whole name or alias of the key,
    or the start of one of its words; None when it is neither."""
    return typo_matcher(query)(key)
