"""Rule-based Chinese fact extraction for the 长治 elder-care assistant.

    from actions.understanding import extract
    ex = extract("俺娘八十三了，吃低保，瘫在床上好几年了")
    ex.facts      # {"age": 83, "economic_status": "minimum_living", "self_care": "dependent"}
    ex.relation   # "mother"

Deterministic, no model: phrase lists live in lexicon.yml (data), the code in
numerals.py (numbers), age.py (ages, birth years), phrases.py (phrases with negation,
questions and past), answers.py (short answers to the asked fact), relation.py (who the
elder is) and extractor.py (putting it together; not named extract.py so the module
is not shadowed by the function). Fact names and values are exactly those
of shared/contract.md section 2.
"""

from __future__ import annotations

from .age import parse_age
from .extractor import SPECIAL_FACTS, Extraction, extract
from .numerals import parse_chinese_number

__all__ = ["extract", "Extraction", "parse_age", "parse_chinese_number", "SPECIAL_FACTS"]
