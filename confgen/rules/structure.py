"""S: the profile's structure, as the profile format declares it (confgen/format.py). The validator's walk of
that declaration checks these (confgen/validate.py), and ignore comments are read with the file
(confgen/suppress.py)."""

from __future__ import annotations

from confgen.diagnostics import Example, Rule, Severity

E = Severity.ERROR

S201 = Rule(
    "S201", E, "Unknown key (a close known key is suggested).",
    "A misspelt key would otherwise be ignored, and the statement would silently lack what it says.",
    failing=Example("document", "documnet_number: ACME-DCS-0042"),
    passing=Example("document", "document_number: ACME-DCS-0042"))

S202 = Rule(
    "S202", E, "A required key is missing (reported at the mapping it is missing from).",
    "The document's title block and each row's behavior or condition are what the statement prints; without them "
    "there is no statement to print.",
    failing=Example("scp", '"B000":\n  related_fields: [OffendingElement]'),
    passing=Example("scp", '"B000":\n  condition: Patient ID was coerced.\n  related_fields: [OffendingElement]'))

S203 = Rule(
    "S203", E, "A value has the wrong type, for example a number where text is expected.",
    "The message names the value as YAML reads it: an unquoted 4.10 is the number 4.1.",
    failing=Example("document", "product_version: 4.10"),
    passing=Example("document", 'product_version: "4.10"'))

S204 = Rule(
    "S204", E, "`confgen` is not a profile format version this confgen knows.",
    "Nothing else is checked: another format's keys would only mislead.",
    failing=Example("top", "confgen: 2"),
    passing=Example("top", "confgen: 1"))

S205 = Rule(
    "S205", E, "`standard` is not a PS3.2 edition confgen has data for.",
    "The edition decides which tables and rows the profile is checked against; the message lists the editions "
    "confgen has.",
    failing=Example("top", 'standard: "2019a"'),
    passing=Example("top", 'standard: "2024d"'))

S206 = Rule(
    "S206", E, "A date is not a real ISO 8601 date (YYYY-MM-DD).",
    "The document's date stands in for the clock wherever the statement is dated, the PDF's metadata included.",
    failing=Example("document", 'date: "2026-02-30"'),
    passing=Example("document", 'date: "2026-02-28"'))

S207 = Rule(
    "S207", E, "A text is empty, or a list that needs entries (`notes`, the conditions of a code) has none.",
    "An empty cell or note reads as something forgotten; leave an optional key out instead.",
    failing=Example("document", 'product: ""'),
    passing=Example("document", "product: Example CT"))

# Suppressible, unlike the other errors: real message texts hold tokens such as "<Tag>".
S208 = Rule(
    "S208", E, "A text still holds a template leftover: TODO, TBD, FIXME, a `[Describe ...]` instruction or a "
               "`<placeholder>`.",
    "A statement must not be published with the template's instructions or placeholders in it. Where such a "
    "token is the product's own text (an Error Comment with <Tag> in it), suppress S208 on its line.",
    failing=Example("scp", '"A770":\n  condition: Rejected.\n  comment: "Attribute <Tag> differs"'),
    passing=Example("scp", '"A770":\n  condition: Rejected.\n  comment: "Attribute <Tag> differs"  '
                           "# confgen: ignore[S208]"),
    suppressible=True)

S209 = Rule(
    "S209", E, "`services`, a service, a role or `communication_failures` declares nothing: no service, neither scu "
               "nor scp, no DIMSE, no table.",
    "A section that does not apply is left out of the profile whole, as Annex N removes it from the statement.",
    failing=Example("top", "services: {}"))

S210 = Rule(
    "S210", E, "`document.logo` is not a PNG or SVG file inside the profile's folder (missing, elsewhere, another "
               "format, or over 1 MiB), or it is beyond what a cover logo may cost to draw.",
    "The logo is carried inside the HTML and read by WeasyPrint: only a small image of the profile's own folder "
    "is taken.",
    failing=Example("document", "logo: brand/missing.png"))

S211 = Rule(
    "S211", E, "A `# confgen: ignore[...]` comment names no rule, or a rule confgen does not have.",
    "Such a comment would silence nothing while seeming to. One written inside a text is part of the text, and "
    "would be printed: it goes on the key's line.",
    failing=Example("scp", '"A711":  # confgen: ignore[D999]\n  condition: Disk full.\n  related_fields: [ErrorID]'),
    passing=Example("scp", '"A711":\n  condition: Disk full.\n  related_fields: [ErrorID]  # confgen: ignore[D312]'))

S212 = Rule(
    "S212", E, "A `# confgen: ignore[...]` comment names a rule that cannot be suppressed: only warnings and S208 "
               "can be.",
    "An error says the statement would be wrong; it is fixed, not silenced.",
    failing=Example("scu", '"0112": Logged.  # confgen: ignore[D310]'),
    passing=Example("scu", '"0122": Logged.'))

S213 = Rule(
    "S213", Severity.WARNING, "A `# confgen: ignore[...]` comment suppresses nothing on its line (it has gone "
                              "stale).",
    "An ignore written for a finding since fixed would stay to hide the next one; it is not suppressible itself.",
    failing=Example("scp", '"A711":  # confgen: ignore[D305]\n  condition: Disk full.'),
    passing=Example("scp", '"0110":  # confgen: ignore[D305]\n  condition: The disk failed.'))

S220 = Rule(
    "S220", E, "The profile's file name, which the statement prints, has a character that cannot be printed (a "
               "control or format character, or bytes that are not UTF-8).",
    "About This Document names the profile's file: a name that cannot be printed would put control characters in "
    "the statement, or fail the PDF.")

S221 = Rule(
    "S221", Severity.WARNING, "The profile's file name, which the statement prints, has a character that the "
                              "packaged templates' font (DejaVu Sans) does not have.",
    "A PDF build would fail on it (R402) unless a font of the machine, or one --templates brings, has it; a warning, "
    "since one may.")

S222 = Rule(
    "S222", Severity.WARNING, "A text has a character that the packaged templates' font (DejaVu Sans) does not "
                              "have, such as Chinese or Japanese.",
    "The statement prints every text of the profile; WeasyPrint draws a character no font has as an empty box, "
    "which confgen refuses, so a PDF build fails (R402, with no line) unless a font of the machine, or one "
    "--templates brings, has it. A warning, since one may; where one does, suppress it on its line, or project-wide "
    "with the configuration's ignore.",
    failing=Example("document", "product: Acme CT — 初期型"),
    passing=Example("document", "product: Acme CT — Initial"),
    suppressible=True)
