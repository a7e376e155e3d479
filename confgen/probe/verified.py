"""`confgen build --verified-by REPORT.json`: the line a statement's About This Document gives a probe report.

Reads the JSON report only (no network, no pynetdicom), as a regular file (confgen.files), like every input. A
report is refused when it is not one of `confgen probe` or is damaged (a field missing or of the wrong kind, a
summary its own diagnostics contradict), when it is of another profile (its profile SHA-256 differs from the
profile's), or when it did not pass: it found contradictions, could not finish (any error among its
diagnostics), or, for an SCU, observed nothing. A statement may say that it was checked only when the check
passed. Whatever the file holds, the answer is a Refusal or the citation, never an exception.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confgen import rules
from confgen.diagnostics import Rule, printable
from confgen.files import read_regular, reason
from confgen.probe.report import FORMAT, FORMAT_VERSION
from confgen.statement import Verification

LIMIT = 16 * 1024 * 1024  # a report is a few tens of kilobytes; a larger file is not one

# What each kind of report's summary holds (report.summarize), each a count.
_COUNTS = {"scp": ("probes", "statuses_observed", "rows", "rows_checked", "consistent", "contradicted",
                   "undocumented", "warnings", "not_checked", "errors"),
           "scu": ("statuses_observed", "statuses", "rows")}
_SHA256 = re.compile(r"[0-9a-f]{64}")


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
    where = f"--verified-by {path}"
    try:
        raw = read_regular(path, LIMIT)  # a FIFO or a device is refused, never waited for
    except OSError as error:
        return Refusal(rules.V630, f"{where}: cannot read it: {reason(error)}")
    if len(raw) > LIMIT:
        return Refusal(rules.V630, f"{where}: larger than a probe report can be")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Refusal(rules.V630, f"{where}: not JSON; give the .json report of `confgen probe --report FILE.json`")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Refusal(rules.V630, f"{where}: not a report of `confgen probe`")
    if data.get("version") != FORMAT_VERSION:
        return Refusal(rules.V630, f"{where}: a probe report of format version {data.get('version')!r}, which this "
                                   "confgen does not read")
    damaged = _damaged(data)
    if damaged:
        return Refusal(rules.V630, f"{where}: the report is damaged ({damaged})")
    return LoadedReport(path, hashlib.sha256(raw).hexdigest(), data)


def _damaged(data: dict[str, Any]) -> str:
    """What is wrong with a report's fields, as a phrase; '' when each is what `confgen probe` writes."""
    fields = {"kind": str, "profile_name": str, "profile_sha256": str, "date": str, "summary": dict, "target": dict,
              "diagnostics": list}
    wrong = [name for name, kind in fields.items() if not isinstance(data.get(name), kind)]
    if wrong:
        return ", ".join(wrong)
    if data["kind"] not in _COUNTS:
        return "kind"
    if not _is_date(data["date"]):
        return "date"
    implementation = data.get("implementation")
    if implementation is not None:
        if not isinstance(implementation, dict):
            return "implementation"
        uid, name = implementation.get("class_uid"), implementation.get("version_name")
        if not (isinstance(uid, str) and uid.isprintable()):
            return "implementation.class_uid"
        if not (name is None or (isinstance(name, str) and name.isprintable())):
            return "implementation.version_name"
    if not _SHA256.fullmatch(data["profile_sha256"]):
        return "profile_sha256"
    summary = data["summary"]
    bad = [name for name in _COUNTS[data["kind"]] if not _is_count(summary.get(name))]
    bad += [] if isinstance(summary.get("passed"), bool) else ["passed"]
    if bad:
        return ", ".join(f"summary.{name}" for name in bad)
    if not all(isinstance(item, dict) and isinstance(item.get("severity"), str) for item in data["diagnostics"]):
        return "diagnostics"
    errors = sum(item["severity"] == "error" for item in data["diagnostics"])
    if data["kind"] == "scp" and summary["errors"] > errors:
        return "summary.errors: more than its diagnostics hold"
    if summary["passed"] and data["kind"] == "scp" and (summary["errors"] or summary["contradicted"]):
        return "summary.passed: it counts errors"
    return ""


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def citation(report: LoadedReport) -> Verification | Refusal:
    """The statement's line for ``report``; a Refusal when the check did not pass. Whether the report is of the
    statement's own profile is for the build to compare (``Verification.profile_sha256``)."""
    data = report.data
    summary = data["summary"]
    errors = sorted({str(item.get("rule")) for item in data["diagnostics"] if item["severity"] == "error"})
    if data["kind"] == "scu" and summary["statuses_observed"] == 0 and not errors:
        return Refusal(rules.V631, f"--verified-by {report.path}: the SCU sent nothing for any status, so nothing "
                                   "was observed; a statement cites only a check that observed something")
    if summary["passed"] is not True or errors:
        found = f" (its errors: {', '.join(printable(rule) for rule in errors)})" if errors else ""
        return Refusal(rules.V631, f"--verified-by {report.path}: the probe found contradictions or could not "
                                   f"finish{found}; a statement cites only a check that passed")
    implementation = data.get("implementation") or {}
    name = implementation.get("version_name") or "an implementation without a version name"
    uid = implementation.get("class_uid")
    against = f"{name}" + (f" (implementation class UID {uid})" if uid else "")
    if data["kind"] == "scp":
        text = (f"Table N.7-43 was checked against the Storage SCP {against} on {data['date']} by confgen probe scp: "
                f"{summary['statuses_observed']} statuses observed from {summary['probes']} probes; "
                f"{summary['rows_checked']} of {summary['rows']} rows reached, none contradicted; rows "
                "no probe reached are not checked.")
    else:
        text = (f"Table N.7-42 was observed against the Storage SCU {against} on {data['date']} by confgen probe "
                f"scu: its reaction to {summary['statuses_observed']} of {summary['statuses']} statuses "
                "was recorded (an observation, not a judgment of the Behavior texts).")
    return Verification(text, printable(report.path.name), report.sha256, data["profile_name"],
                        data["profile_sha256"])
