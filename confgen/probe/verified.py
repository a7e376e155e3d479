"""`confgen build --verified-by REPORT.json`: the line a statement's About This Document gives a probe report.

Reads the JSON report only (no network, no pynetdicom). A report is refused when it is not one of `confgen probe`,
when it is of another profile (its profile SHA-256 differs from the profile's), or when it found contradictions:
a statement may say that it was checked only when the check passed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confgen import rules
from confgen.diagnostics import Rule
from confgen.probe.report import FORMAT, FORMAT_VERSION
from confgen.statement import Verification

LIMIT = 16 * 1024 * 1024  # a report is a few tens of kilobytes; a larger file is not one


@dataclass(frozen=True)
class Refusal:
    rule: Rule
    message: str


@dataclass(frozen=True)
class LoadedReport:
    path: Path
    sha256: str
    data: dict[str, Any]


def read_report(path: Path) -> LoadedReport | Refusal:
    try:
        with path.open("rb") as stream:
            raw = stream.read(LIMIT + 1)
    except OSError as error:
        return Refusal(rules.V630, f"--verified-by {path}: cannot read it: {error.strerror or error}")
    if len(raw) > LIMIT:
        return Refusal(rules.V630, f"--verified-by {path}: larger than a probe report can be")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Refusal(rules.V630, f"--verified-by {path}: not JSON; give the .json report of `confgen probe "
                                   "--report FILE.json`")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Refusal(rules.V630, f"--verified-by {path}: not a report of `confgen probe`")
    if data.get("version") != FORMAT_VERSION:
        return Refusal(rules.V630, f"--verified-by {path}: a probe report of format version "
                                   f"{data.get('version')!r}, which this confgen does not read")
    fields = {"kind": str, "profile_name": str, "profile_sha256": str, "date": str, "summary": dict, "target": dict}
    wrong = [name for name, kind in fields.items() if not isinstance(data.get(name), kind)]
    if wrong or data["kind"] not in ("scp", "scu"):
        return Refusal(rules.V630, f"--verified-by {path}: the report is damaged ({', '.join(wrong) or 'kind'})")
    return LoadedReport(path, hashlib.sha256(raw).hexdigest(), data)


def citation(report: LoadedReport) -> Verification | Refusal:
    """The statement's line for ``report``; a Refusal when the check did not pass. Whether the report is of the
    statement's own profile is for the build to compare (``Verification.profile_sha256``)."""
    data = report.data
    summary = data["summary"]
    if summary.get("passed") is not True:
        return Refusal(rules.V631, f"--verified-by {report.path}: the probe found contradictions or could not "
                                   "finish; a statement cites only a check that passed")
    implementation = data.get("implementation") or {}
    name = implementation.get("version_name") or "an implementation without a version name"
    uid = implementation.get("class_uid")
    against = f"{name}" + (f" (implementation class UID {uid})" if uid else "")
    if data["kind"] == "scp":
        text = (f"Table N.7-43 was checked against the Storage SCP {against} on {data['date']} by confgen probe scp: "
                f"{summary.get('statuses_observed')} statuses observed from {summary.get('probes')} probes; "
                f"{summary.get('rows_checked')} of {summary.get('rows')} rows reached, none contradicted; rows "
                "no probe reached are not checked.")
    else:
        text = (f"Table N.7-42 was observed against the Storage SCU {against} on {data['date']} by confgen probe "
                f"scu: its reaction to {summary.get('statuses_observed')} of {summary.get('statuses')} statuses "
                "was recorded (an observation, not a judgment of the Behavior texts).")
    return Verification(text, report.path.name, report.sha256, data["profile_name"], data["profile_sha256"])
