"""Supersets: executions (of a workout or a routine) with the same non-null number, adjacent in
order, form one. The rule is checked here for both; docs/routines.md explains it."""

from collections import Counter
from collections.abc import Sequence

from ironlog.workouts.errors import InvalidSuperset


def check(numbers: Sequence[int | None], *, whole: bool) -> None:
    """`numbers` are the executions' superset numbers in order. Equal numbers must be adjacent;
    for a whole tree (`whole`), each number must also be on at least two executions. Edits of
    one execution (add, patch, reorder) check adjacency only, so that a client can build a
    superset one execution at a time."""
    counts = Counter(number for number in numbers if number is not None)
    previous: int | None = None
    seen: set[int] = set()
    for number in numbers:
        if number is not None and number != previous:
            if number in seen:
                raise InvalidSuperset(f"The executions of superset {number} are not adjacent.")
            seen.add(number)
        previous = number
    if whole:
        lone = sorted(number for number, count in counts.items() if count < 2)
        if lone:
            raise InvalidSuperset(f"Superset {lone[0]} has only one execution; it needs two.")


def tidy(numbers: Sequence[int | None]) -> list[int | None]:
    """The numbers with every superset that breaks the rule dropped (set to None): for data
    that is taken as it comes, such as an import."""
    kept = list(numbers)
    for number in {number for number in numbers if number is not None}:
        places = [index for index, value in enumerate(numbers) if value == number]
        if len(places) < 2 or places[-1] - places[0] != len(places) - 1:
            for index in places:
                kept[index] = None
    return kept
