"""Y: the profile as YAML. Checked where the file is read and composed (confgen/source.py)."""

from __future__ import annotations

from confgen.diagnostics import Example, Rule, Severity

E = Severity.ERROR
W = Severity.WARNING

Y101 = Rule(
    "Y101", E, "The file is not UTF-8 text.",
    "A profile is UTF-8 text (a byte order mark is accepted); the diagnostic points at the first byte that is not.")

Y102 = Rule(
    "Y102", E, "The file is not valid YAML (the parser's line and column are given).",
    "Where the culprit is a tab used for indentation, the message says so: YAML indents with spaces.",
    failing=Example("document", 'product: "Acme CT'),
    passing=Example("document", 'product: "Acme CT"'))

Y103 = Rule(
    "Y103", E, "The file holds more than one YAML document.",
    "A profile is one document: a second (after a --- line) would be silently ignored by many YAML tools.",
    failing=Example("top", "---\nconfgen: 1"))

Y104 = Rule(
    "Y104", E, "A key is given twice in the same mapping (YAML would silently keep the last one).",
    "The later copy is the one YAML keeps; the earlier one is often the one the author meant.",
    failing=Example("document", "product: Acme CT\nproduct: Acme MR"),
    passing=Example("document", "product: Acme MR"))

Y105 = Rule(
    "Y105", E, "Only plain YAML data is read: tags such as `!!python/object` and merge keys (`<<`) are refused.",
    "A profile is data: no tag may build an object, and a merge key hides which keys a mapping really has.",
    failing=Example("document", 'product: !!python/object/apply:os.system ["echo"]'),
    passing=Example("document", "product: !!str Acme CT"))

Y106 = Rule("Y106", E, "The file is empty.", "`confgen init` writes a starting profile.")

Y107 = Rule(
    "Y107", E, "Aliases (`*name`) repeat so much that the profile would be larger than 1 MiB (the \"billion "
               "laughs\").",
    "Each alias repeats what it names; aliases of aliases grow as a power of the file's size.",
    failing=Example("top", "\n".join([f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 8)]).join(
        ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n", ""])))

Y108 = Rule(
    "Y108", W, "A plain (unquoted) value that YAML 1.1, which confgen reads, and YAML 1.2, which editors read, read as "
               "different things: a code key with a leading zero (`0122:`), `yes`, `no`, `on`, `off`, `0o17`, `1e5`.",
    "An unquoted 0122 key is the code \"0122\" to confgen, which reads a key as typed, but the number 122 to an "
    "editor (\"Property 122 is not allowed\"); sent: no is false to confgen and the text \"no\" to an editor. The "
    "message names both readings and the spelling both read alike: quotes for text, true and false for booleans. A "
    "value confgen refuses (a number where text is due, such as 1:30, the number 90 to YAML 1.1) is its own error "
    "(S203). y and n are booleans in YAML 1.1's specification, but text to PyYAML as to YAML 1.2; an unquoted date "
    "is the characters typed to both.",
    failing=Example("scu", "0122: Logged."),
    passing=Example("scu", '"0122": Logged.'),
    suppressible=True)
