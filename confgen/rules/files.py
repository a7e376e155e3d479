"""F: the profile file itself, and the files a build writes."""

from __future__ import annotations

from confgen.diagnostics import Rule, Severity

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
