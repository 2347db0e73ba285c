"""The typo pass decides as the plain edit-distance table does, on random names and typos.

`core.text` computes the distance with bit masks and skips terms it need not look at; the
reference here fills the whole table for every term.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from ironlog.core.text import (
    Typo,
    _bigrams,
    key_forms,
    key_terms,
    prefix_distance,
    search_key,
    typo_bigrams,
    typo_limit,
    typo_match,
    typo_matcher,
)

# Few letters, so that names share words and typos land near other names.
LETTERS = "abcdef"


def _table(query: str, term: str) -> list[list[int]]:
    """Edits (insert, delete, substitute, swap two neighbours) from each prefix of `query` to
    each prefix of `term`."""
    table = [list(range(len(term) + 1))]
    table += [[row] + [0] * len(term) for row in range(1, len(query) + 1)]
    for row in range(1, len(query) + 1):
        for column in range(1, len(term) + 1):
            table[row][column] = min(
                table[row - 1][column] + 1,
                table[row][column - 1] + 1,
                table[row - 1][column - 1] + (query[row - 1] != term[column - 1]),
            )
            if (
                row > 1
                and column > 1
                and query[row - 1] == term[column - 2]
                and query[row - 2] == term[column - 1]
            ):
                table[row][column] = min(table[row][column], table[row - 2][column - 2] + 1)
    return table


def _reference_match(query: str, key: str) -> Typo | None:
    limit = typo_limit(query)
    if not limit:
        return None
    # The same quick test as core.text: a term sharing too few bigrams is not looked at.
    query_bigrams = _bigrams(query)
    needed = max(1, len(query_bigrams) - 3 * limit)

    def looked_at(term: str) -> bool:
        return len(query_bigrams & _bigrams(term[: len(query) + limit])) >= needed

    if any(looked_at(form) and _table(query, form)[-1][-1] <= limit for form in key_forms(key)):
        return Typo.WHOLE
    if any(looked_at(term) and min(_table(query, term)[-1]) <= limit for term in key_terms(key)):
        return Typo.WORD
    return None


words = st.text(alphabet=LETTERS, min_size=1, max_size=6)
names = st.lists(words, min_size=1, max_size=3).map(" ".join)


@st.composite
def typed(draw: st.DrawFn, text: str) -> str:
    """`text` as a lifter may type it: a few inserts, deletes, substitutions and swaps."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(chars)))
        edit = draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
        if edit == "insert":
            chars.insert(at, draw(st.sampled_from(LETTERS)))
        elif edit == "delete" and at < len(chars):
            del chars[at]
        elif edit == "substitute" and at < len(chars):
            chars[at] = draw(st.sampled_from(LETTERS))
        elif edit == "swap" and at + 1 < len(chars):
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
    return "".join(chars)


@st.composite
def key_and_query(draw: st.DrawFn) -> tuple[str, str]:
    """A search key, and a query typed from the start of one of its terms (or from nothing)."""
    key = search_key(draw(st.lists(names, min_size=1, max_size=3)))
    term = draw(st.sampled_from(key_terms(key)))
    start = term[: draw(st.integers(0, 14))]
    return key, draw(typed(start))


@settings(max_examples=500, deadline=None)
@given(
    query=st.text(alphabet=LETTERS, max_size=11),
    term=st.text(alphabet=LETTERS, max_size=14),
    limit=st.integers(0, 3),
)
def test_prefix_distance_is_the_tables_within_the_limit(query: str, term: str, limit: int) -> None:
    table = _table(query, term)
    ends = table[-1][max(0, len(query) - limit) : len(query) + limit + 1]
    assert prefix_distance(query, term, limit) == min([*ends, limit + 1])
    assert prefix_distance(query, term, limit, whole=True) == min(table[-1][-1], limit + 1)


@settings(max_examples=500, deadline=None)
@given(key_and_query())
def test_typo_match_decides_as_the_table(key_query: tuple[str, str]) -> None:
    key, query = key_query
    assert typo_match(query, key) == _reference_match(query, key)


@settings(max_examples=200, deadline=None)
@given(st.lists(key_and_query(), min_size=1, max_size=8))
def test_one_matcher_serves_many_keys(keys_queries: list[tuple[str, str]]) -> None:
    query = keys_queries[0][1]
    keys = [key for key, _ in keys_queries]
    match = typo_matcher(query)
    assert [match(key) for key in keys] == [_reference_match(query, key) for key in keys]


@settings(max_examples=500, deadline=None)
@given(key_and_query())
def test_a_key_the_typo_pass_finds_holds_the_bigrams_sql_asks_for(
    key_query: tuple[str, str],
) -> None:
    # exercises.repository.holds_typo_bigrams drops the keys holding fewer, in SQL.
    key, query = key_query
    bigrams, needed = typo_bigrams(query)
    if typo_match(query, key) is not None:
        assert sum(bigram in key for bigram in bigrams) >= needed
