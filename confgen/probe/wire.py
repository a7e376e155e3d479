"""The network, as the SCU: associations with the one peer given, C-STORE requests sent byte for byte, and what
came back. The only module of ``confgen probe scp`` that imports pynetdicom.

pynetdicom has no public call that sends a data set's bytes as they are (a truncated stream, an unknown VR), so a
request is sent as its own ``send_c_store`` sends one: the association's reactor is paused, the DIMSE message sent,
the response awaited, the reactor resumed. That uses two private attributes of pynetdicom 3's Association
(``_reactor_checkpoint``, ``_is_paused``); pyproject.toml keeps pynetdicom below 4 for that reason, and the tests
exercise it against real peers.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.association import Association
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.presentation import PresentationContext, build_context

from confgen.probe.instances import Message
from confgen.probe.results import Found, Implementation, Outcome, peer_text

# pynetdicom logs every refusal and timeout at error level; the probe reports them itself, as diagnostics.
logging.getLogger("pynetdicom").setLevel(logging.CRITICAL + 1)

EXPLICIT_VR_LE = "1.2.840.10008.1.2.1"
IMPLICIT_VR_LE = "1.2.840.10008.1.2"
UNCOMPRESSED = (EXPLICIT_VR_LE, IMPLICIT_VR_LE)
VERIFICATION = "1.2.840.10008.1.1"
STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
C_STORE_RSP = 0x8001
# The command elements every C-STORE response has (PS3.7 Table 9.3-2); any other is a related field.
_MANDATORY = frozenset({0x00000000, 0x00000002, 0x00000100, 0x00000120, 0x00000800, 0x00000900, 0x00001000})
_CONTEXT_RESULTS = {1: "user rejection", 2: "no reason given", 3: "abstract syntax not supported",
                    4: "transfer syntaxes not supported"}


class PeerError(Exception):
    """The peer cannot be probed: not reachable, no association, or not DICOM."""

    def __init__(self, message: str, no_context: bool = False) -> None:
        super().__init__(message)
        self.no_context = no_context  # the association failed because no presentation context was accepted


@dataclass(frozen=True)
class Peer:
    host: str  # as the user gave it
    address: str  # what it resolved to: every connection goes there and nowhere else
    port: int
    called_ae: str
    calling_ae: str
    timeout: float

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}" if self.host == self.address else \
            f"{self.host}:{self.port} ({self.address})"


def resolve(host: str, port: int, timeout: float) -> str:
    """The one address ``host`` names, looked up within ``timeout``; the first the system's resolver gives."""
    answer: list[Any] = []

    def look_up() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as error:
            answer.append(error)

    # getaddrinfo has no timeout of its own: it runs in a thread that is left behind if it takes too long (a
    # daemon, so that it never holds up confgen's exit).
    lookup = threading.Thread(target=look_up, daemon=True)
    lookup.start()
    lookup.join(timeout)
    if not answer:
        raise PeerError(f"{host}: the name could not be looked up within {timeout:g} s")
    if isinstance(answer[0], BaseException):
        raise PeerError(f"{host}: the name cannot be looked up ({_reason(answer[0])})")
    return str(answer[0][0][4][0])


def reach(host: str, address: str, port: int, timeout: float) -> None:
    """Raise PeerError unless a TCP connection to the peer can be opened within ``timeout``."""
    try:
        with socket.create_connection((address, port), timeout=timeout):
            pass
    except TimeoutError as error:
        raise PeerError(f"{host}:{port}: no connection within {timeout:g} s") from error
    except OSError as error:
        raise PeerError(f"{host}:{port}: cannot connect ({_reason(error)})") from error


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def context(abstract_syntax: str, transfer_syntaxes: Sequence[str] = UNCOMPRESSED) -> PresentationContext:
    return build_context(abstract_syntax, list(transfer_syntaxes))


@dataclass
class Link:
    """One association, and the command sets the peer sent on it."""

    association: Association
    received: list[Dataset] = field(default_factory=list)

    def context_of(self, abstract_syntax: str) -> PresentationContext | None:
        return next((cx for cx in self.association.accepted_contexts if cx.abstract_syntax == abstract_syntax), None)

    def rejected(self, abstract_syntax: str) -> PresentationContext | None:
        return next((cx for cx in self.association.rejected_contexts if cx.abstract_syntax == abstract_syntax),
                    None)

    @property
    def implementation(self) -> Implementation:
        return implementation_of(self.association.acceptor)


def implementation_of(user: Any) -> Implementation:
    """What a peer said of itself in its association request or acceptance: ``user`` is pynetdicom's
    ServiceUser (an association's ``acceptor`` or ``requestor``)."""
    return Implementation(peer_text(str(user.ae_title).strip()), peer_text(str(user.implementation_class_uid)),
                          _text(user.implementation_version_name))


def _text(value: Any) -> str | None:
    """A text the peer sent, as the report carries it (results.peer_text); None when there is none."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    return peer_text(str(value).strip()) or None


def _element_text(dataset: Dataset | None, keyword: str) -> str | None:
    """The text of an element the peer sent, as the report carries it; None when it is absent or empty."""
    with warnings.catch_warnings():
        # pydicom warns of a text it decodes as best it can (an ESC that starts no character set it knows): the
        # text is the peer's, shown as it came, and the warning would only be noise on standard error.
        warnings.simplefilter("ignore")
        return _text(getattr(dataset, keyword, None))


def _no_delay(event: evt.Event) -> None:
    # One request and one response at a time: without TCP_NODELAY, Nagle's algorithm and delayed ACKs add about
    # 40 ms to each exchange on loopback.
    sock = getattr(getattr(event.assoc.dul, "socket", None), "socket", None)
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@contextmanager
def associated(peer: Peer, contexts: list[PresentationContext]) -> Iterator[Link]:
    """An association with ``peer`` proposing ``contexts``, released (or aborted) on leaving; PeerError when
    there is none."""
    ae = AE(ae_title=peer.calling_ae)
    for name in ("acse_timeout", "dimse_timeout", "network_timeout", "connection_timeout"):
        setattr(ae, name, peer.timeout)
    received: list[Dataset] = []
    first = _FirstBytes()

    def keep(event: evt.Event) -> None:
        received.append(event.message.command_set)

    def opened(event: evt.Event) -> None:
        _no_delay(event)
        first.watch(event)

    def decoded(event: evt.Event) -> None:
        first.decoded = True

    start = time.monotonic()
    association = ae.associate(peer.address, peer.port, contexts=contexts, ae_title=peer.called_ae,
                               evt_handlers=[(evt.EVT_CONN_OPEN, opened), (evt.EVT_PDU_RECV, decoded),
                                             (evt.EVT_DIMSE_RECV, keep)])
    if not association.is_established:
        why = _why_not_established(peer, association, time.monotonic() - start, first)
        _close(association)
        ae.shutdown()
        raise PeerError(why, no_context=bool(association.rejected_contexts) and not association.accepted_contexts)
    link = Link(association, received)
    try:
        yield link
    except BaseException as error:
        if not isinstance(error, Exception):  # Ctrl-C or SIGTERM: stop now, without waiting for a release
            association.abort()
        raise
    finally:
        if association.is_established:
            association.release()
        if association.is_established:  # the release was not answered within the timeout
            association.abort()
        _close(association)
        ae.shutdown()


def _close(association: Association) -> None:
    """Close the association's socket for good. pynetdicom 3 leaves it open when the peer has closed the connection
    first (its shutdown() fails, and close() is never reached)."""
    association.kill()
    sock = getattr(association.dul.socket, "socket", None)
    if sock is not None:
        sock.close()


SHOWN = 48  # bytes of an answer that is not what it should be, quoted in the diagnostic
_PDU_NAMES = {1: "A-ASSOCIATE-RQ", 2: "A-ASSOCIATE-AC", 3: "A-ASSOCIATE-RJ", 4: "P-DATA-TF", 5: "A-RELEASE-RQ",
              6: "A-RELEASE-RP", 7: "A-ABORT"}  # PS3.8 Section 9.3, by the PDU's first byte


class _FirstBytes:
    """The first bytes the peer sends on a connection, kept so that a failed association can say what came back.

    pynetdicom reads a PDU's 6-byte header, then its body; on a header it does not know (an HTTP server's answer)
    it stops there and aborts. So each read of its socket is kept (up to SHOWN bytes), with a look, which takes
    nothing, at what is waiting after it.
    """

    def __init__(self) -> None:
        self.read = bytearray()
        self.waiting = b""
        self.decoded = False  # pynetdicom could read a PDU the peer sent

    @property
    def shown(self) -> bytes:
        return bytes(self.read + self.waiting)[:SHOWN + 1]

    def watch(self, event: evt.Event) -> None:
        transport = getattr(event.assoc.dul, "socket", None)
        raw = getattr(transport, "socket", None)
        receive = getattr(transport, "recv", None)
        if transport is None or raw is None or receive is None:
            return

        def recv(nr_bytes: int) -> bytearray:
            data: bytearray = receive(nr_bytes)
            if len(self.read) <= SHOWN:
                self.read += data[:SHOWN + 1 - len(self.read)]
                self.waiting = b""
                peek = getattr(socket, "MSG_PEEK", 0) | getattr(socket, "MSG_DONTWAIT", 0)
                if len(self.read) <= SHOWN and hasattr(socket, "MSG_DONTWAIT"):
                    with contextlib.suppress(OSError):  # nothing waiting, or the connection is gone
                        self.waiting = raw.recv(SHOWN + 1 - len(self.read), peek)
            return data

        transport.recv = recv


def _why_not_established(peer: Peer, association: Association, seconds: float, first: _FirstBytes) -> str:
    """Why the association is not established, saying what the peer answered."""
    answer = first.shown
    quoted = repr(answer[:SHOWN]) + ("..." if len(answer) > SHOWN else "")
    pdu = _PDU_NAMES.get(answer[0]) if answer else None
    if not first.decoded and answer[:1] in (b"\x02", b"\x03"):  # pynetdicom takes every context for rejected
        return f"{peer.where} answered the association request with an {pdu} that cannot be read: {quoted}"
    if association.is_rejected:
        primitive = association.acceptor.primitive
        result = getattr(primitive, "result_str", None) or "rejected"
        source = getattr(primitive, "source_str", None) or "?"
        reason = getattr(primitive, "reason_str", None) or "?"
        return f"{peer.where} rejected the association ({result}; source: {source}; reason: {reason}); " \
               f"called AE title {peer.called_ae!r}, calling AE title {peer.calling_ae!r}"
    if association.is_aborted and association.rejected_contexts and not association.accepted_contexts:
        return f"{peer.where} accepted none of the presentation contexts proposed " \
               f"({_context_list(association.rejected_contexts)})"
    if pdu == "A-ABORT":
        return f"{peer.where} aborted the association request (A-ABORT: {quoted})"
    if pdu is not None:
        return f"{peer.where} answered the association request with an {pdu} PDU, which does not answer it: {quoted}"
    if answer:
        return f"{peer.where} answered the association request with something that is not DICOM: {quoted}"
    if association.is_aborted and seconds < peer.timeout:
        return f"{peer.where} closed the connection without answering the association request"
    return f"{peer.where} did not answer the association request within {peer.timeout:g} s (is it a DICOM " \
           "application?)"


def _context_list(contexts: Sequence[PresentationContext]) -> str:
    return "; ".join(f"{cx.abstract_syntax}: {_CONTEXT_RESULTS.get(cx.result or 0, f'result {cx.result}')}"
                     for cx in contexts)


def rejection(cx: PresentationContext) -> str:
    result = cx.result or 0
    return f"{_CONTEXT_RESULTS.get(result, 'rejected')} (result {result})"


def store(link: Link, context_id: int, message: Message, timeout: float) -> Outcome:
    """Send one C-STORE request with the data set's bytes as they are, and wait up to ``timeout`` for its
    response."""
    association = link.association
    request = C_STORE()
    request.MessageID = 1
    request.Priority = 2
    request.AffectedSOPClassUID = message.affected_sop_class
    request.AffectedSOPInstanceUID = message.affected_sop_instance
    request.DataSet = io.BytesIO(message.data)
    before = len(link.received)
    start = time.monotonic()
    if not _pause(association, timeout):
        return Outcome("invalid", "the association stopped before the request could be sent")
    try:
        association.dimse.send_msg(request, context_id)
        association.dimse.get_msg(block=True)
        # Read before the reactor resumes, which takes the abort off the queue.
        peer_abort = association.acse.is_aborted("a-abort")
        closed = association.acse.is_aborted("a-p-abort") or association.is_aborted
    finally:
        association._reactor_checkpoint.set()
    seconds = time.monotonic() - start
    answers = link.received[before:]
    if answers:
        return _response(answers[0], seconds)
    association.abort()  # whatever happened, this association is done with: no release to wait for
    if peer_abort:
        return Outcome("aborted", f"the SCP aborted the association (A-ABORT) after {seconds:.2f} s, with no "
                                  "status", seconds=seconds)
    if closed:
        return Outcome("aborted", f"the SCP closed the connection after {seconds:.2f} s, with no status",
                       seconds=seconds)
    return Outcome("no-answer", f"no answer within {timeout:g} s: the SCP neither answered nor aborted; confgen "
                                "aborted the association", seconds=seconds)


def _pause(association: Association, timeout: float) -> bool:
    """Pause the association's reactor, so that the response comes to this thread (as pynetdicom does itself)."""
    association._reactor_checkpoint.clear()
    deadline = time.monotonic() + timeout
    while not association._is_paused:
        if time.monotonic() > deadline or not association.is_alive():
            association._reactor_checkpoint.set()
            return False
        time.sleep(0.0001)
    return True


def _response(command: Dataset, seconds: float) -> Outcome:
    field_ = getattr(command, "CommandField", None)
    status = getattr(command, "Status", None)
    if field_ != C_STORE_RSP or not isinstance(status, int):
        what = f"a command of type 0x{field_:04X}" if isinstance(field_, int) else "a command without a type"
        return Outcome("invalid", f"the SCP answered with {what}" +
                       ("" if field_ != C_STORE_RSP else " without a Status"), seconds=seconds)
    comment = _element_text(command, "ErrorComment")
    offending = getattr(command, "OffendingElement", None)
    offending_tags = tuple(int(tag) for tag in (offending if isinstance(offending, list | tuple) else
                                                [offending] if offending is not None else []))
    fields = tuple(sorted(int(element.tag) for element in command if int(element.tag) not in _MANDATORY))
    return Outcome("status", f"status {status:04X}", status=status, error_comment=comment,
                   offending_element=offending_tags, fields=fields, seconds=seconds)


def negotiate(peer: Peer, contexts: list[PresentationContext], abstract_syntax: str,
              transfer_syntax: str | None) -> tuple[Outcome, Implementation]:
    """The result of proposing the first of ``contexts`` (the others keep the association acceptable)."""
    start = time.monotonic()
    with associated(peer, contexts) as link:
        seconds = time.monotonic() - start
        matching = [cx for cx in link.association.accepted_contexts if cx.abstract_syntax == abstract_syntax
                    and (transfer_syntax is None or cx.transfer_syntax[0] == transfer_syntax)]
        rejected = [cx for cx in link.association.rejected_contexts if cx.context_id == 1]
        if matching:
            outcome = Outcome("accepted", "the context was accepted" +
                              (f" with {matching[0].transfer_syntax[0]}" if transfer_syntax else ""), seconds=seconds)
        elif rejected:
            outcome = Outcome("rejected", f"the context was rejected: {rejection(rejected[0])}", seconds=seconds)
        else:
            outcome = Outcome("rejected", "the context was not accepted", seconds=seconds)
        return outcome, link.implementation


def find_instances(peer: Peer, queries: Sequence[tuple[str, str | None, str | None]]) -> dict[str, Found]:
    """Ask the peer, by Study Root C-FIND at IMAGE level, for each (SOP Instance UID, Study Instance UID, Series
    Instance UID); PeerError when it cannot be asked (no association, no answer). A query it refuses is that
    query's answer (``Found.refused``): the others are asked all the same."""
    found: dict[str, Found] = {}
    try:
        with associated(peer, [context(STUDY_ROOT_FIND)]) as link:
            if link.context_of(STUDY_ROOT_FIND) is None:
                cx = link.rejected(STUDY_ROOT_FIND)
                raise PeerError(f"{peer.where} does not take Study Root C-FIND" +
                                (f" (the context was rejected: {rejection(cx)})" if cx else ""))
            for sop_uid, study_uid, series_uid in queries:
                found[sop_uid] = _find(link, peer, sop_uid, study_uid, series_uid)
    except PeerError as error:
        raise PeerError(f"C-FIND read-back: {error}") from error
    return found


def _find(link: Link, peer: Peer, sop_uid: str, study_uid: str | None, series_uid: str | None) -> Found:
    query = Dataset()
    query.QueryRetrieveLevel = "IMAGE"
    query.StudyInstanceUID = study_uid or ""
    query.SeriesInstanceUID = series_uid or ""
    query.SOPInstanceUID = sop_uid
    query.ImageComments = ""
    comments: list[str] = []
    for status, identifier in link.association.send_c_find(query, STUDY_ROOT_FIND):
        code = getattr(status, "Status", None)
        if not isinstance(code, int):
            raise PeerError(f"{peer.where} gave no answer to a C-FIND within {peer.timeout:g} s")
        if code in (0xFF00, 0xFF01):
            comments.append(_element_text(identifier, "ImageComments") or "")
        elif code != 0x0000:
            return Found(0, (), f"status {code:04X}")
    return Found(len(comments), tuple(comments))
