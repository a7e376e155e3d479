"""Every rule confgen checks, with its ID, severity and a one-line explanation.

Families: F files, Y YAML, S the profile's structure, D the DICOM standard, R rendering and writing, V what
`confgen probe` observed of the running application (and `build --verified-by`).
The README's rule list documents each of them; a test fails when one is missing there.
"""

from __future__ import annotations

from confgen.diagnostics import Rule, Severity

E = Severity.ERROR
W = Severity.WARNING

# Files
F101 = Rule("F101", E, "The profile cannot be read (missing, a directory, no permission).", exit_code=2)
F102 = Rule("F102", E, "An output file cannot be written, or two profiles would write the same output.",
            exit_code=2)
F103 = Rule("F103", E, "The profile is larger than 1 MiB, the most confgen reads.")

# YAML
Y101 = Rule("Y101", E, "The file is not UTF-8 text.")
Y102 = Rule("Y102", E, "The file is not valid YAML (the parser's line and column are given).")
Y103 = Rule("Y103", E, "The file holds more than one YAML document.")
Y104 = Rule("Y104", E, "A key is given twice in the same mapping (YAML would silently keep the last one).")
Y105 = Rule("Y105", E, "Only plain YAML data is read: tags such as `!!python/object` and merge keys (`<<`) are "
                       "refused.")
Y106 = Rule("Y106", E, "The file is empty.")
Y107 = Rule("Y107", E, "Aliases (`*name`) repeat so much that the profile would be larger than 1 MiB (the "
                       "\"billion laughs\").")

# Profile structure
S201 = Rule("S201", E, "Unknown key (a close known key is suggested).")
S202 = Rule("S202", E, "A required key is missing (reported at the mapping it is missing from).")
S203 = Rule("S203", E, "A value has the wrong type, for example a number where text is expected.")
S204 = Rule("S204", E, "`confgen` is not a profile format version this confgen knows.")
S205 = Rule("S205", E, "`standard` is not a PS3.2 edition confgen has data for.")
S206 = Rule("S206", E, "A date is not a real ISO 8601 date (YYYY-MM-DD).")
S207 = Rule("S207", E, "A text is empty.")
S208 = Rule("S208", E, "A text still holds a template leftover: TODO, TBD, FIXME, a `[Describe ...]` "
                       "instruction or a `<placeholder>`.")
S209 = Rule("S209", E, "`services`, or a service, declares nothing: no service, or neither scu nor scp.")
S210 = Rule("S210", E, "`document.logo` is not a PNG or SVG file inside the profile's folder (missing, elsewhere, "
                       "another format, or over 1 MiB).")

# DICOM
D301 = Rule("D301", E, "A status key is not four hexadecimal digits (or, for an SCU, a template range or `other`).")
D302 = Rule("D302", E, "An SCU range is not one of the template's ranges.")
D303 = Rule("D303", E, "An SCP lists a range; an SCP sends concrete codes (A711, never A700-A7FF).")
D304 = Rule("D304", E, "The code is in no PS3.7 status class (PS3.7 Annex C forbids it).")
D305 = Rule("D305", W, "The code is in a PS3.7 status class but not defined for this DIMSE service.")
D306 = Rule("D306", E, "A code the standard gives no meaning for this service needs `further_meaning`.")
D307 = Rule("D307", E, "The same status code is given twice, spelt differently, or a related field twice.")
D308 = Rule("D308", E, "A row of the template's table is not addressed (reported at the `statuses` mapping).")
D309 = Rule("D309", E, "`other` (the \"Other Status Codes\" row) is for SCU tables only.")
D310 = Rule("D310", E, "The code is a misprint of the PS3.2 template (0112, 0214); PS3.7 assigns 0122 and 0124.")
D311 = Rule("D311", E, "A related field is not a command element (group 0000) in pydicom's data dictionary.")
D312 = Rule("D312", W, "A related field is not one the standard lists for that status.")
D313 = Rule("D313", E, "`sent: false` comes with a condition or related fields.")
D314 = Rule("D314", E, "`sent: false` is for template rows; an additional code the application never sends "
                       "is left out.")
D315 = Rule("D315", W, "`further_meaning` changes the Further Meaning that the template prints for its row.")
D316 = Rule("D316", E, "An SCP says `sent: false` for Success: a Storage SCP that never sends it stores nothing.")

# Rendering and writing
R401 = Rule("R401", E, "The statement could not be rendered (template or PDF engine failure).")
R402 = Rule("R402", E, "WeasyPrint reported a problem (a character no font has, a CSS property it ignores, a "
                       "refused resource): the PDF would not be as designed, so nothing is written.")

# Verification: `confgen probe` against the running application, and `build --verified-by`
N = Severity.NOTE
V601 = Rule("V601", N, "A probe's status is one the table lists for it: consistent with that row.")
V602 = Rule("V602", E, "A probe's status is one the table says is not sent (`sent: false`): the row is contradicted.")
V603 = Rule("V603", E, "A probe's status is not in the table (reported at the role's `statuses`): the table is "
                       "incomplete.")
V604 = Rule("V604", W, "A related field the row lists is missing from the response.")
V605 = Rule("V605", E, "Success, but the read-back does not find the instance complete: the 0000 row is contradicted.")
V606 = Rule("V606", W, "A failure status, but the read-back finds the instance stored anyway.")
V607 = Rule("V607", N, "A row no probe provoked: not checked (never counted as passed).")
V608 = Rule("V608", N, "A probe got no status: its context was rejected, or the SCP aborted the association.")
V609 = Rule("V609", W, "A probe got no answer at all within the timeout: the SCP neither answered nor aborted.")
V610 = Rule("V610", N, "What the SCU did after a status (`probe scu`): an observation beside the row, not a judgment.")
V611 = Rule("V611", W, "The SCU sent nothing for a status (`probe scu`): that row was not observed.")
V620 = Rule("V620", E, "The peer cannot be probed: no connection, the association refused, or not DICOM.", exit_code=2)
V621 = Rule("V621", E, "The peer answered a probe with something that is not a C-STORE response.", exit_code=2)
V622 = Rule("V622", E, "The read-back asked for (`--read-back`) cannot be done.", exit_code=2)
V623 = Rule("V623", E, "The profile has no table for the role probed, or the SCU command cannot be run.", exit_code=2)
V630 = Rule("V630", E, "`--verified-by`: the file cannot be read, or is not a report of `confgen probe`.",
            exit_code=2)
V631 = Rule("V631", E, "`--verified-by`: the report is of another profile (its SHA-256 differs), or found "
                       "contradictions.")

ALL_RULES: tuple[Rule, ...] = (
    F101, F102, F103,
    Y101, Y102, Y103, Y104, Y105, Y106, Y107,
    S201, S202, S203, S204, S205, S206, S207, S208, S209, S210,
    D301, D302, D303, D304, D305, D306, D307, D308, D309, D310, D311, D312, D313, D314, D315, D316,
    R401, R402,
    V601, V602, V603, V604, V605, V606, V607, V608, V609, V610, V611, V620, V621, V622, V623, V630, V631,
)
