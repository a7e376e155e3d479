"""V: what `confgen probe` observed of the running application, against the profile's tables, and what
`confgen build --verified-by` checks of a probe's report. Checked by confgen/probe/ (verdicts.py for the tables,
command.py for the peer and the report); a profile piece alone cannot show them, so they have no examples."""

from __future__ import annotations

from confgen.diagnostics import Rule, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE

V601 = Rule(
    "V601", N, "A probe's status is one the table lists for it: consistent with that row.",
    "A note, never a failure: it says which row each answer matched (a code inside a PS3.4 range matches the "
    "template's row of that range).")
V602 = Rule(
    "V602", E, "A probe's status is one the table says is not sent (`sent: false`): the row is contradicted.",
    "The statement says the application never sends the status; it did.")
V603 = Rule(
    "V603", E, "A probe's status is not in the table (reported at the role's `statuses`): the table is incomplete.",
    "An SCP table lists every code the application sends; this one was sent and is not listed.")
V604 = Rule(
    "V604", W, "A related field the row lists is missing from the response.",
    "The row says the status comes with the field (an Error Comment, an Offending Element); this response did not "
    "carry it.")
V605 = Rule(
    "V605", E, "Success, but the read-back does not find the instance complete: the 0000 row is contradicted.",
    "A status of 0000 is not proof of storage: real SCPs answer 0000 for an instance they did not keep (a 0-byte "
    "file on a full disk, an instance a filter discarded).")
V606 = Rule(
    "V606", W, "A failure status, but the read-back finds the instance stored anyway.",
    "The SCU will send it again or give up, while the SCP keeps what it refused (DCMTK's storescp stores before it "
    "checks the SOP Class).")
V607 = Rule(
    "V607", N, "A row no probe provoked: not checked (never counted as passed).",
    "Conditions such as a full disk or a policy refusal need the system's own configuration: the probes cannot "
    "cause them, and the report says so.")
V608 = Rule(
    "V608", N, "A probe got no status: its context was rejected, or the SCP aborted the association.",
    "An observation: the table describes statuses, and this answer was none.")
V609 = Rule(
    "V609", W, "A probe got no answer at all within the timeout: the SCP neither answered nor aborted.",
    "Silence is a finding in itself: the SCU waits for its own timeout (Orthanc answers a truncated data set with "
    "nothing).")
V610 = Rule(
    "V610", N, "What the SCU did after a status (`probe scu`): an observation beside the row, not a judgment.",
    "Behavior is prose; confgen does not pretend to read it, and prints what the table says beside what the SCU "
    "did.")
V611 = Rule(
    "V611", W, "The SCU sent nothing for a status (`probe scu`): that row was not observed.",
    "Start the SCU (or give --command) so that it sends an instance for each status.")
V612 = Rule(
    "V612", W, "The SCU was still busy when `--max-watch` ran out (`probe scu`): what it did after is not observed.",
    "An SCU that keeps sending, or retries sooner than `--watch` seconds apart, would keep a status watched for ever; "
    "confgen stops watching at `--max-watch` (600 s by default) and says so, and the observation ends there.")
V620 = Rule(
    "V620", E, "The peer cannot be probed: no connection, the association refused, or not DICOM.",
    "Nothing was checked; a usage problem, so the exit code is 2.", exit_code=2)
V621 = Rule(
    "V621", E, "The peer answered a probe with something that is not a C-STORE response.",
    "What came back cannot be compared with the table.", exit_code=2)
V622 = Rule(
    "V622", E, "The read-back asked for (`--read-back`) cannot be done.",
    "The SCP does not answer the C-FIND, or the folder given cannot be read.", exit_code=2)
V623 = Rule(
    "V623", E, "The profile has no table for the role probed, or the SCU command cannot be run.",
    "`probe scp` needs the profile's Storage SCP table, `probe scu` its Storage SCU table.", exit_code=2)
V624 = Rule(
    "V624", W, "The read-back could not tell whether a probe's instance is stored: the search of the folder stopped "
               "at its bounds, or the SCP refused that instance's C-FIND.",
    "Not finding an instance where the read-back did not look is no proof that it is missing: the row is neither "
    "contradicted (V605) nor its failure found stored (V606). A folder is searched through at most 1,000,000 files, "
    "10,000 of them parsed; an SCP may refuse an IMAGE-level query without a Study Instance UID.")
V630 = Rule(
    "V630", E, "`--verified-by`: the file cannot be read (or is not a regular file), is not a report of `confgen "
               "probe`, or is damaged (a field missing or of the wrong kind, a summary its diagnostics contradict).",
    "The statement would cite a verification that is not one.", exit_code=2)
V631 = Rule(
    "V631", E, "`--verified-by`: the report is of another profile (its SHA-256 differs), or did not pass: it found "
               "contradictions, could not finish, or (an SCU) observed nothing.",
    "A statement cites only a verification of itself that found nothing against it: a report with any error among "
    "its diagnostics (a contradiction, a read-back that could not be done) is not one, and neither is a `probe scu` "
    "run in which the SCU sent nothing.")
