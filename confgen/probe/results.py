"""What a probe run observed, as plain data: what the verdicts, the report and `build --verified-by` read. Nothing
here touches the network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from confgen.diagnostics import printable


def peer_text(text: str, *, lines: bool = False) -> str:
    """Text that came from the peer (an Error Comment, an AE title, a version name, an SCU command's output) as
    the report carries it: each character that is not printable as its Python escape, visible (``\\x01``,
    ``\\x1b``), so that no control character reaches the report's HTML and PDF, which XML cannot carry. With
    ``lines``, line breaks are kept (a Windows line end is one)."""
    if not lines:
        return printable(text)
    return "\n".join(printable(line) for line in text.replace("\r\n", "\n").split("\n"))


@dataclass(frozen=True)
class Implementation:
    """What the peer said of itself when it accepted an association."""

    ae_title: str
    class_uid: str
    version_name: str | None


# What one probe got back: a status; its context (or the whole association) rejected, or accepted (a probe that
# only negotiates); an A-ABORT or a closed connection; no answer within the timeout; nothing sent (the transfer
# syntax agreed cannot carry the fault); an answer that is not a C-STORE response; no association for it at all.
OutcomeKind = Literal["status", "rejected", "accepted", "aborted", "no-answer", "not-sent", "invalid", "unreachable"]


@dataclass(frozen=True)
class Outcome:
    """What one probe got back."""

    kind: OutcomeKind
    detail: str
    status: int | None = None
    error_comment: str | None = None
    offending_element: tuple[int, ...] = ()
    fields: tuple[int, ...] = ()  # the related fields (command elements beyond the mandatory ones) it carried
    seconds: float = 0.0


@dataclass(frozen=True)
class Found:
    """What a C-FIND read-back found for one SOP Instance UID."""

    matches: int
    image_comments: tuple[str, ...] = ()
    refused: str | None = None  # why the SCP answered no matches: it refused the query ("status A900")


@dataclass(frozen=True)
class ReadBack:
    """Whether an instance a probe sent is there afterwards."""

    state: str  # stored, missing, incomplete (a damaged file), or unknown (the read-back could not tell)
    detail: str
    kept: tuple[str, ...] = ()  # the Image Comments of what is stored: which content an SCP kept
    shared: bool = False  # the SOP Instance UID is an earlier probe's too: finding it proves nothing of this one


@dataclass(frozen=True)
class ProbeResult:
    probe: str  # the probe's id in the probe set
    title: str
    sent: str  # what was sent, as the probe set says
    outcome: Outcome
    instance_uids: tuple[str, ...] = ()  # the SOP Instance UIDs it may have been stored under
    read_back: ReadBack | None = None
    detail: str = ""  # what was sent, concretely: size, transfer syntax, UIDs


@dataclass(frozen=True)
class Observation:
    """What an SCU under test did after one status (`confgen probe scu`)."""

    row: str  # the key of the row of N.7-42 the status stands for
    answered: int  # the status answered to the SCU's first C-STORE
    instances: int  # C-STORE requests the SCU sent, the first included
    associations: int
    did: str  # what the SCU did, in words: "sent 2 more instances, then released the association"
    end: str  # released, aborted, closed, silent, capped (still busy at --max-watch), nothing
    retries: tuple[float, ...] = ()  # seconds before each C-STORE that repeated an earlier SOP Instance UID
    exit_code: int | None = None  # of the command that ran the SCU, when confgen started it
    output: str = ""  # the end of what that command printed


@dataclass(frozen=True)
class Plan:
    """One status `confgen probe scu` answers, and the row of N.7-42 it stands for."""

    row: str
    code: int
    comment: str | None  # the Error Comment sent with it, if any
