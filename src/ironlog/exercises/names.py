import unicodedata


def name_key(name: str) -> str:
    """The form in which two exercise names are compared: NFKC, case-folded, single spaces.

    "Bench  Press", "bench press" and "ＢＥＮＣＨ PRESS" share one key.
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
