"""`core.units.round_half_up`: what the decimal rounding of the value as written gives, with or
without its shortcut for a value that has nothing to round."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from ironlog.core.units import round_half_up, round_to_centimetre, round_to_gram


def _by_decimal(value: float, places: int) -> float:
    """The rule itself: the value's shortest decimal form, rounded half away from zero."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)) + 0.0


@given(
    value=st.floats(min_value=-1_000_000, max_value=1_000_000, allow_nan=False)
    | st.decimals(min_value=-2000, max_value=2000, places=4).map(float)
    | st.integers(min_value=-100_000, max_value=100_000).map(lambda n: n / 1000),
    places=st.integers(min_value=0, max_value=4),
)
def test_rounding_is_the_decimal_rounding_of_the_value_as_written(
    value: float, places: int
) -> None:
    rounded = round_half_up(value, places)
    assert rounded == _by_decimal(value, places)
    assert str(rounded) != "-0.0"


def test_halves_go_away_from_zero_and_nothing_to_round_is_kept() -> None:
    assert round_to_gram(102.05828) == 102.058
    assert round_to_gram(0.0005) == 0.001
    assert round_to_gram(2.0625) == 2.063  # half-even would give 2.062
    assert round_to_gram(-0.0004) == 0.0 and str(round_to_gram(-0.0004)) == "0.0"
    assert round_to_gram(-0.0) == 0.0 and str(round_to_gram(-0.0)) == "0.0"
    assert round_to_gram(62.5) == 62.5
    assert round_to_centimetre(1609.344) == 1609.34
    assert round_to_centimetre(0.125) == 0.13
