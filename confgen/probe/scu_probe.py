"""`confgen probe scu`: play the Storage SCP for an SCU under test, answer its first C-STORE with a chosen status
(0000 to every later one), and record what the SCU does next. Observation, not judgment: the profile's behavior
texts are prose, and confgen does not pretend to read them.

Each status is a scenario. With a command, confgen runs it once per status and the scenario ends when it exits
(or has been silent for --watch seconds, when confgen stops it). Without one, a person starts the SCU; the
scenario ends once the SCU's associations have ended and --watch seconds pass without a new one (a retry), or
an association stays silent for --watch seconds.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, AllStoragePresentationContexts, evt
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from confgen.probe import wire  # also quiets pynetdicom's logger
from confgen.probe.results import Implementation, Observation, Plan, peer_text

OUTPUT_KEPT = 4000  # characters of the end of a command's output kept for the report
TICK = 0.02  # seconds between looks at the clock, the command and the associations
ENDINGS = ("released", "aborted", "closed")
ERROR_COMMENT = 0x00000902


class ListenError(Exception):
    """The SCP cannot listen (the port is taken, the address is not this machine's)."""


@dataclass
class Event:
    at: float  # time.monotonic()
    kind: str  # association, store, released, aborted, closed
    association: int
    sop_instance: str | None = None


@dataclass
class Scenario:
    code: int
    comment: str | None  # the Error Comment sent with the status, where the standard lists one for it
    started: float = field(default_factory=time.monotonic)
    events: list[Event] = field(default_factory=list)
    answered_first: bool = False

    @property
    def last_activity(self) -> float:
        return self.events[-1].at if self.events else self.started


class Listener:
    """The SCP the SCU under test sends to: one server for the whole run; a scenario at a time."""

    def __init__(self, bind: str, port: int, ae_title: str, timeout: float) -> None:
        self.lock = threading.Lock()
        self.scenario: Scenario | None = None
        self.serials: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()  # association -> number
        # Numbers are never reused: an association that has ended may be collected (and leave ``serials``) before
        # the next begins, and the next must not take its number.
        self.numbers = itertools.count(1)
        self.ending: dict[int, Event] = {}  # how each association ended, as recorded
        self.open: set[int] = set()  # the associations that have not ended
        self.implementation: Implementation | None = None
        self.ae = AE(ae_title=ae_title)
        for context in AllStoragePresentationContexts:
            assert context.abstract_syntax is not None
            self.ae.add_supported_context(context.abstract_syntax, ALL_TRANSFER_SYNTAXES)
        self.ae.add_supported_context(Verification, ALL_TRANSFER_SYNTAXES)
        self.ae.acse_timeout = timeout
        self.ae.dimse_timeout = timeout
        self.ae.network_timeout = None  # silence is what --watch observes, and the scenario ends it
        handlers: list[Any] = [(evt.EVT_CONN_OPEN, self._opened), (evt.EVT_ESTABLISHED, self._established),
                    (evt.EVT_C_STORE, self._store), (evt.EVT_RELEASED, self._released),
                    (evt.EVT_ABORTED, self._aborted), (evt.EVT_CONN_CLOSE, self._closed)]
        try:
            server = self.ae.start_server((bind, port), block=False, evt_handlers=handlers)
        except (OSError, OverflowError) as error:
            raise ListenError(f"cannot listen on {bind}:{port}: {getattr(error, 'strerror', None) or error}") from error
        assert server is not None, "a server that does not block is returned"
        self.server = server

    def stop(self) -> None:
        self.server.shutdown()

    def begin(self, code: int, comment: str | None) -> Scenario:
        with self.lock:
            self.scenario = Scenario(code, comment)
            return self.scenario

    def end(self) -> None:
        """End the scenario: an association still open is aborted (and that abort is not the SCU's doing, so it is
        not recorded), so that the next scenario starts afresh."""
        with self.lock:
            self.scenario = None
        for association in list(self.server.active_associations):
            association.abort()
        with self.lock:
            self.open.clear()

    @property
    def busy(self) -> bool:
        with self.lock:
            return bool(self.open)

    def _record(self, assoc: object, kind: str, sop_instance: str | None = None) -> None:
        with self.lock:
            serial = self.serials.get(assoc)
            if serial is None:
                serial = self.serials[assoc] = next(self.numbers)
            if kind == "association":
                self.open.add(serial)
            elif kind in ENDINGS:
                if serial not in self.open:
                    # An association ends once. pynetdicom may tell the connection's close before the A-ABORT
                    # that came first on the wire: the abort then says how it ended.
                    last = self.ending.get(serial)
                    if last is not None and last.kind == "closed" and kind != "closed":
                        last.kind = kind
                    return
                self.open.discard(serial)
            if self.scenario is not None:
                self.scenario.events.append(Event(time.monotonic(), kind, serial, sop_instance))
                if kind in ENDINGS:
                    self.ending[serial] = self.scenario.events[-1]

    def _opened(self, event: evt.Event) -> None:
        sock = getattr(getattr(event.assoc.dul, "socket", None), "socket", None)
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _established(self, event: evt.Event) -> None:
        if self.implementation is None:
            self.implementation = wire.implementation_of(event.assoc.requestor)
        self._record(event.assoc, "association")

    def _store(self, event: evt.Event) -> Dataset:
        uid = str(getattr(event.request, "AffectedSOPInstanceUID", ""))
        self._record(event.assoc, "store", uid)
        answer = Dataset()
        answer.Status = 0x0000
        with self.lock:
            scenario = self.scenario
            if scenario is not None and not scenario.answered_first:
                scenario.answered_first = True
                answer.Status = scenario.code
                if scenario.comment:
                    answer.ErrorComment = scenario.comment
        return answer

    def _released(self, event: evt.Event) -> None:
        self._record(event.assoc, "released")

    def _aborted(self, event: evt.Event) -> None:
        self._record(event.assoc, "aborted")

    def _closed(self, event: evt.Event) -> None:
        self._record(event.assoc, "closed")


@dataclass(frozen=True)
class Watch:
    """How long a status is watched: ``silence``, the SCU's silence that ends it (--watch); ``first``, the wait for
    a person to start the SCU (--wait); ``most``, the longest it is watched however busy the SCU keeps it, from
    the SCU's first association or the command's start (--max-watch)."""

    silence: float
    first: float
    most: float


def run_scenarios(listener: Listener, plans: Sequence[Plan], command: Sequence[str] | None, watch: Watch,
                  progress: Callable[[str], None]) -> list[Observation]:
    observations = []
    for number, plan in enumerate(plans, start=1):
        scenario = listener.begin(plan.code, plan.comment)
        if command is None:
            progress(f"status {number}/{len(plans)}: confgen answers the first C-STORE with {plan.code:04X} (row "
                     f"{plan.row}); send instances from the SCU now (waiting up to {watch.first:g} s)")
            stopped = _watch_person(listener, scenario, watch)
            exit_code, output = None, ""
        else:
            stopped, exit_code, output = _watch_command(listener, scenario, command, watch)
        listener.end()
        observation = observe(plan, scenario, stopped, watch, exit_code, output)
        progress(f"status {number}/{len(plans)} {plan.code:04X} (row {plan.row}): the SCU {observation.did}")
        observations.append(observation)
    return observations


def _watch_person(listener: Listener, scenario: Scenario, watch: Watch) -> str | None:
    """Why confgen stopped watching: "silent" (the SCU went silent with an association open), "capped" (it was
    still busy when the longest watch ran out), or None (its associations had ended)."""
    while not scenario.events:
        if time.monotonic() - scenario.started > watch.first:
            return None
        time.sleep(TICK)
    begun = scenario.events[0].at
    while True:
        now = time.monotonic()
        if now - scenario.last_activity > watch.silence:
            return "silent" if listener.busy else None
        if now - begun > watch.most:
            return "capped"
        time.sleep(TICK)


class CommandError(Exception):
    """The SCU's command cannot be started."""


def _watch_command(listener: Listener, scenario: Scenario, command: Sequence[str],
                   watch: Watch) -> tuple[str | None, int | None, str]:
    """Why confgen stopped watching (as _watch_person says; None: the command exited), the command's exit code,
    and the end of what it printed."""
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as error:
        raise CommandError(f"cannot run {command[0]}: {error.strerror or error}") from error
    output = _Tail(process)
    begun = time.monotonic()
    stopped = None
    try:
        while process.poll() is None:
            now = time.monotonic()
            if now - scenario.last_activity > watch.silence:
                stopped = "silent"
                break
            if now - begun > watch.most:
                stopped = "capped"
                break
            time.sleep(TICK)
    finally:  # silent, or confgen itself interrupted: the command does not outlive the scenario
        if process.poll() is None:
            _stop(process)
    output.join()
    # The SCU has exited: what it began (a release, a close) reaches this side a moment later.
    deadline = time.monotonic() + 2.0
    while listener.busy and time.monotonic() < deadline:
        time.sleep(TICK)
    return stopped, process.returncode, output.text


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the command and whatever it started (its own session), politely first."""
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


class _Tail(threading.Thread):
    """Reads a command's output as it comes (so that it never blocks on a full pipe), keeping the end of it."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.kept = b""
        self.start()

    def run(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        for chunk in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            self.kept = (self.kept + chunk)[-OUTPUT_KEPT:]
        stream.close()

    def join(self, timeout: float | None = 5.0) -> None:
        super().join(timeout)

    @property
    def text(self) -> str:
        return peer_text(self.kept.decode("utf-8", errors="replace").strip(), lines=True)


def observe(plan: Plan, scenario: Scenario, stopped: str | None, watch: Watch, exit_code: int | None,
            output: str) -> Observation:
    """What the events of a scenario say the SCU did after the status; ``stopped`` is why confgen stopped
    watching before the SCU was done ("silent", "capped"), if it did."""
    events = list(scenario.events)
    stores = [e for e in events if e.kind == "store"]
    associations = len({e.association for e in events if e.kind == "association"})
    ended = [e.kind for e in events if e.kind in ("released", "aborted", "closed")]
    end = stopped or (ended[-1] if ended else "nothing" if not events else "closed")
    if not stores:
        did = "sent no C-STORE" + (" (it never connected)" if not events else f", then {_ending(end, watch)}")
        return Observation(plan.row, plan.code, 0, associations, did, end if events else "nothing",
                           exit_code=exit_code, output=output)
    seen: dict[str, float] = {}
    retries: list[float] = []
    more = 0
    for event in stores:
        uid = event.sop_instance or ""
        if uid in seen:
            retries.append(event.at - seen[uid])
        elif seen:
            more += 1
        seen[uid] = event.at
    parts = [f"sent {more} more instance{'s' * (more != 1)}" if more else "sent no further instance"]
    if retries:
        intervals = ", ".join(f"{seconds:.1f} s" for seconds in retries)
        parts.append(f"sent a SOP Instance UID again {len(retries)} time{'s' * (len(retries) != 1)} (a retry, "
                     f"after {intervals})")
    if associations > 1:
        parts.append(f"over {associations} associations")
    did = ", ".join(parts) + f", then {_ending(end, watch)}"
    if exit_code is not None:
        did += f"; the command exited with {exit_code}"
    return Observation(plan.row, plan.code, len(stores), associations, did, end, tuple(retries), exit_code, output)


def _ending(end: str, watch: Watch) -> str:
    return {"released": "released the association", "aborted": "aborted the association",
            "closed": "closed the connection without a release or an abort",
            "silent": f"went silent for {watch.silence:g} s with the association open",
            "capped": f"was still busy after {watch.most:g} s (--max-watch), when confgen stopped watching",
            "nothing": "did nothing more"}[end]
