"""Every rule confgen checks: one small unit each, with its ID, severity, summary, why it exists, a piece of a
profile it reports and one it accepts, and (for the DICOM rules) its check beside it.

Families: F files, Y YAML, S the profile's structure, D the DICOM standard, R rendering and writing. The README's
rule table is generated from here (``python -m confgen.rules.docs``), ``confgen rules`` lists them and
``confgen rules --explain ID`` prints one with its examples; the tests run every example.
"""

from __future__ import annotations

from confgen.diagnostics import Rule
from confgen.rules.dicom import (
    D301,
    D302,
    D303,
    D304,
    D305,
    D306,
    D307,
    D308,
    D309,
    D310,
    D311,
    D312,
    D313,
    D314,
    D315,
    D316,
    D317,
    D318,
    D319,
    D320,
)
from confgen.rules.files import F101, F102, F103, F104
from confgen.rules.output import R401, R402, R403
from confgen.rules.structure import (
    S201,
    S202,
    S203,
    S204,
    S205,
    S206,
    S207,
    S208,
    S209,
    S210,
    S211,
    S212,
    S213,
    S220,
    S221,
)
from confgen.rules.syntax import Y101, Y102, Y103, Y104, Y105, Y106, Y107

ALL_RULES: tuple[Rule, ...] = (
    F101, F102, F103, F104,
    Y101, Y102, Y103, Y104, Y105, Y106, Y107,
    S201, S202, S203, S204, S205, S206, S207, S208, S209, S210, S211, S212, S213, S220, S221,
    D301, D302, D303, D304, D305, D306, D307, D308, D309, D310, D311, D312, D313, D314, D315, D316, D317, D318,
    D319, D320,
    R401, R402, R403,
)

BY_ID = {rule.id: rule for rule in ALL_RULES}

__all__ = [
    "ALL_RULES",
    "BY_ID",
    "D301",
    "D302",
    "D303",
    "D304",
    "D305",
    "D306",
    "D307",
    "D308",
    "D309",
    "D310",
    "D311",
    "D312",
    "D313",
    "D314",
    "D315",
    "D316",
    "D317",
    "D318",
    "D319",
    "D320",
    "F101",
    "F102",
    "F103",
    "F104",
    "R401",
    "R402",
    "R403",
    "S201",
    "S202",
    "S203",
    "S204",
    "S205",
    "S206",
    "S207",
    "S208",
    "S209",
    "S210",
    "S211",
    "S212",
    "S213",
    "S220",
    "S221",
    "Y101",
    "Y102",
    "Y103",
    "Y104",
    "Y105",
    "Y106",
    "Y107",
]
