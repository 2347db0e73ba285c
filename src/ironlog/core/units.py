"""Decimal rounding of measured values: weights to the gram, distances to the centimetre, body
lengths and percentages to a tenth.

A value is rounded as it was written (its shortest decimal form, so 102.05828 is 102.05828, not
the nearest binary float), half away from zero: 0.0005 kg is one gram. Clients that convert
units send what they computed (225 lb = 102.05828 kg) and IronLog keeps 102.058.
"""

from decimal import ROUND_HALF_UP, Decimal

GRAM_PLACES = 3
CENTIMETRE_PLACES = 2
# The least weight that is not 0 once rounded to the gram: a weight that must be above 0 (a
# plate, a progression step) is at least this, or it would be stored as 0.
LEAST_GRAM = 0.0005


def round_half_up(value: float, places: int) -> float:
    """`value` rounded to `places` decimals, half away from zero (never -0.0)."""
    if round(value, places) == value:
        # Nothing to round (nearly every weight sent): `value` is the float nearest to a number
        # of at most `places` decimals, which is what the decimal rounding would give back.
        return value + 0.0
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)) + 0.0


def round_to_gram(kilograms: float) -> float:
    return round_half_up(kilograms, GRAM_PLACES)


def round_to_centimetre(metres: float) -> float:
    """A distance as stored (two decimals): 1 mile, 1609.344 m, is 1609.34."""
    return round_half_up(metres, CENTIMETRE_PLACES)
