"""F: the profile file itself, the files a build writes, and the configuration file (`[tool.confgen]` in
pyproject.toml, or confgen.toml; confgen/config.py reads it)."""

from __future__ import annotations

from confgen.diagnostics import Example, Rule, Severity

F101 = Rule(
    "F101", Severity.ERROR, "The profile cannot be read (missing, a directory, no permission).",
    "Nothing can be checked in a file that cannot be read; this is a usage problem, so the exit code is 2.",
    exit_code=2)

F102 = Rule(
    "F102", Severity.ERROR, "An output file cannot be written, or two profiles would write the same output.",
    "Outputs are written whole or not at all; a build that cannot replace one leaves the earlier pair as it was. "
    "Outputs are named after the profile's file stem, so two profiles with one stem in one build would overwrite "
    "each other.",
    exit_code=2)

F103 = Rule(
    "F103", Severity.ERROR, "The profile is larger than 1 MiB, the most confgen reads.",
    "A complete profile is a few kilobytes; the limit bounds what reading a stray file (a log, an image, "
    "/dev/zero) can cost.")

F104 = Rule(
    "F104", Severity.ERROR, "The build record (`.confgen-build.json`) cannot be written: the outputs were, and the "
                            "next build builds them again.",
    "The record is what lets a build skip an unchanged profile; without it nothing is wrong, only slower, and the "
    "run says so with exit code 2.",
    exit_code=2)

# The configuration: a problem there is a usage error (exit 2), and the command checks no profile until it is fixed,
# as a misspelt `strict` would otherwise pass what it was meant to fail.

F105 = Rule(
    "F105", Severity.ERROR, "The configuration file cannot be read, or is not TOML.",
    "confgen reads its settings from `[tool.confgen]` in pyproject.toml, or from confgen.toml, in the working folder "
    "or the nearest folder above it that has one; TOML's own error is given at its line and column.",
    failing=Example("pyproject", "[tool.confgen]\nstrict = yes"),
    passing=Example("pyproject", "[tool.confgen]\nstrict = true"),
    exit_code=2)

F106 = Rule(
    "F106", Severity.ERROR, "The configuration has a key confgen does not know (a close known key is suggested).",
    "A misspelt setting would otherwise be ignored. The keys are output, strict, format, templates, pdf-variant, "
    "jobs and ignore.",
    failing=Example("pyproject", '[tool.confgen]\npdf_variant = "pdf/ua-1"'),
    passing=Example("pyproject", '[tool.confgen]\npdf-variant = "pdf/ua-1"'),
    exit_code=2)

F107 = Rule(
    "F107", Severity.ERROR, "A setting in the configuration has a value it cannot take (a wrong type, an unknown "
                            "choice, a folder that does not exist).",
    "The message says what the setting takes; folders are relative to the configuration file's folder.",
    failing=Example("pyproject", "[tool.confgen]\njobs = 0"),
    passing=Example("pyproject", "[tool.confgen]\njobs = 2"),
    exit_code=2)

F108 = Rule(
    "F108", Severity.ERROR, "`ignore` in the configuration names a rule confgen does not have.",
    "It would ignore nothing while seeming to, as an ignore comment with an unknown rule would (S211).",
    failing=Example("pyproject", '[tool.confgen]\nignore = ["D999"]'),
    passing=Example("pyproject", '[tool.confgen]\nignore = ["D312"]'),
    exit_code=2)

F109 = Rule(
    "F109", Severity.ERROR, "`ignore` in the configuration names a rule that cannot be suppressed: only warnings and "
                            "S208 can be.",
    "A rule ignored project-wide is suppressed as an ignore comment suppresses it, in every profile: an error says "
    "the statement would be wrong, and is fixed, not ignored (S212 says the same of an ignore comment).",
    failing=Example("pyproject", '[tool.confgen]\nignore = ["D310"]'),
    passing=Example("pyproject", '[tool.confgen]\nignore = ["D305"]'),
    exit_code=2)
