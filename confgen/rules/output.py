"""R: rendering the statement and writing it."""

from __future__ import annotations

from confgen.diagnostics import Rule, Severity

R401 = Rule(
    "R401", Severity.ERROR, "The statement could not be rendered (template or PDF engine failure).",
    "A template (packaged, or a vendor's from --templates) failed, or the PDF engine did: the message names the "
    "template and line, or the engine's error. Nothing is written.")

R402 = Rule(
    "R402", Severity.ERROR, "WeasyPrint reported a problem (a character no font has, a CSS property it ignores, a "
                            "refused resource): the PDF would not be as designed, so nothing is written.",
    "A statement is never published with boxes instead of text, or without its stylesheet or images.")

R403 = Rule(
    "R403", Severity.ERROR, "An unexpected error (its type and message are given) stopped this profile's build; the "
                            "other profiles are built.",
    "Whatever goes wrong in one profile's rendering or writing is that profile's problem, never a traceback and "
    "never the end of the others' builds.")
