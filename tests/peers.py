"""Real DICOM peers for the probe tests, each started on a free port in a temporary folder with a configuration of
the tests' own, and stopped by its PID: DCMTK's storescp and storescu, Orthanc, and SCPs written with pynetdicom
whose answers a test chooses.

The Debian packages are found at their Debian paths on purpose: pynetdicom installs Python programs of its own
named storescp and storescu, which shadow DCMTK's on the PATH of a virtual environment. Tests send only to
127.0.0.1. (storescp and Orthanc 1.10 have no option to listen on one address only; they listen on the port on
every address of the machine for the few seconds a test runs.)

Where a peer is missing its tests skip, saying how to install it, unless CONFGEN_REQUIRE_CHECKERS=1 (.ci/run sets
it), where they fail: CI installs the peers with tests/checkers/install, as it installs the HTML checkers.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

STORESCP = Path("/usr/bin/storescp")
STORESCU = Path("/usr/bin/storescu")
ORTHANC = Path("/usr/sbin/Orthanc")
REQUIRED = "CONFGEN_REQUIRE_CHECKERS"
HOST = "127.0.0.1"
START_TIMEOUT = 20.0  # seconds for a peer to accept connections (both take well under a second)


def require(program: Path, package: str) -> None:
    """Skip (or, with CONFGEN_REQUIRE_CHECKERS=1, fail) unless ``program`` is installed."""
    if program.exists():
        return
    reason = f"{program} not installed: run tests/checkers/install (it installs Debian's {package})"
    if os.environ.get(REQUIRED) == "1":
        pytest.fail(f"{reason} ({REQUIRED}=1: the network peers must run)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            shown = log.read_text(errors="replace") if log and log.exists() else ""
            raise AssertionError(f"the peer exited with {process.returncode} before listening:\n{shown}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.02)
    raise AssertionError(f"nothing listens on {HOST}:{port} after {START_TIMEOUT} s")


@contextlib.contextmanager
def started(command: list[str], folder: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Run a peer in ``folder`` until the block ends; stop it by its PID."""
    log = folder / "peer.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=folder, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@dataclass(frozen=True)
class Scp:
    port: int
    called_ae: str
    folder: Path  # where it stores what it keeps


@pytest.fixture
def storescp(tmp_path: Path) -> Iterator[Scp]:
    """DCMTK's storescp, writing what it receives to a folder of its own."""
    require(STORESCP, "dcmtk")
    port = free_port()
    folder = tmp_path / "storescp"
    (folder / "received").mkdir(parents=True)
    with started([str(STORESCP), "--output-directory", "received", str(port)], folder, port):
        yield Scp(port, "ANY-SCP", folder / "received")


@pytest.fixture
def orthanc(tmp_path: Path) -> Iterator[Scp]:
    """Orthanc with a configuration of the tests' own: no plugins, no HTTP server, its storage and index in a
    temporary folder, C-FIND allowed to any caller (for the read-back), and a short DICOM timeout so that it
    frees the associations the tests abandon."""
    require(ORTHANC, "orthanc")
    port = free_port()
    folder = tmp_path / "orthanc"
    folder.mkdir()
    config = {"Name": "confgen-tests", "StorageDirectory": str(folder / "storage"),
              "IndexDirectory": str(folder / "index"), "DicomPort": port, "DicomAet": "ORTHANC",
              "HttpServerEnabled": False, "Plugins": [], "LuaScripts": [], "RemoteAccessAllowed": False,
              "DicomAlwaysAllowFind": True, "DicomScpTimeout": 5, "SaveJobs": False}
    (folder / "orthanc.json").write_text(json.dumps(config), encoding="utf-8")
    with started([str(ORTHANC), "orthanc.json"], folder, port):
        yield Scp(port, "ORTHANC", folder / "storage")


# -- an SCP whose answers the test chooses -------------------------------------------------------------------

Answer = int | str | Callable[[Any], Any]  # a status; "abort"; "silence"; "echo" (a C-ECHO-RSP); or a function


@dataclass
class Scripted:
    """A pynetdicom Storage SCP that answers the n-th C-STORE as ``answers[n]`` says (0000 when it says nothing),
    keeps what it is told to keep in ``folder``, and answers Study Root C-FIND from what it kept."""

    port: int
    folder: Path
    answers: dict[int, Answer] = field(default_factory=dict)
    store: Callable[[int, Any], bool] | None = None  # whether to keep the n-th instance (default: on success or a
    # warning, if it decodes)
    received: list[str] = field(default_factory=list)  # the Affected SOP Instance UIDs, in order
    kept: dict[str, str] = field(default_factory=dict)  # SOP Instance UID -> Image Comments
    silence: float = 5.0
    called_ae: str = "ANY-SCP"
    # How to answer a C-FIND, given its identifier: None to search what was kept, a status to refuse the query
    # with, or "silence" to answer nothing for ``silence`` seconds.
    find_answer: Callable[[Any], int | str | None] | None = None


@pytest.fixture
def scripted_scp(tmp_path: Path) -> Iterator[Scripted]:
    from pydicom.dataset import Dataset
    from pynetdicom import AE, AllStoragePresentationContexts, evt
    from pynetdicom.dimse_primitives import C_ECHO

    folder = tmp_path / "scripted"
    folder.mkdir()
    scp = Scripted(free_port(), folder)
    lock = threading.Lock()

    def on_store(event: Any) -> Any:
        with lock:
            scp.received.append(str(event.request.AffectedSOPInstanceUID))
            number = len(scp.received)
        answer = scp.answers.get(number, 0x0000)
        if callable(answer):
            answer = answer(event)
        if answer == "abort":
            event.assoc.abort()
            return 0x0000
        if answer == "silence":
            time.sleep(scp.silence)
            return 0x0000
        if answer == "echo":
            reply = C_ECHO()
            reply.MessageIDBeingRespondedTo = event.request.MessageID
            reply.AffectedSOPClassUID = "1.2.840.10008.1.1"
            reply.Status = 0x0000
            event.assoc.dimse.send_msg(reply, event.context.context_id)
            return 0x0000
        keep = scp.store(number, event) if scp.store else \
            isinstance(answer, int) and (answer == 0 or answer >> 12 == 0xB)
        if keep:
            try:
                ds = event.dataset
                ds.file_meta = event.file_meta
                uid = str(ds.SOPInstanceUID)
            except Exception:  # a probe's broken data set: nothing to keep
                return answer
            ds.save_as(folder / f"{uid}.dcm", enforce_file_format=True)
            scp.kept[uid] = str(ds.get("ImageComments", ""))
        return answer

    def on_find(event: Any) -> Iterator[Any]:
        answer = scp.find_answer(event.identifier) if scp.find_answer else None
        if answer == "silence":
            time.sleep(scp.silence)
        if answer is not None:
            yield (answer if isinstance(answer, int) else 0x0000), None
            return
        wanted = str(event.identifier.SOPInstanceUID)
        if wanted in scp.kept:
            found = Dataset()
            found.QueryRetrieveLevel = "IMAGE"
            found.SOPInstanceUID = wanted
            found.ImageComments = scp.kept[wanted]
            yield 0xFF00, found
        yield 0x0000, None

    ae = AE("SCRIPTED")
    ae.supported_contexts = AllStoragePresentationContexts
    ae.add_supported_context("1.2.840.10008.5.1.4.1.2.2.1")
    ae.add_supported_context("1.2.840.10008.1.1")
    server = ae.start_server((HOST, scp.port), block=False,
                             evt_handlers=[(evt.EVT_C_STORE, on_store), (evt.EVT_C_FIND, on_find)])
    try:
        yield scp
    finally:
        assert server is not None
        server.shutdown()


@pytest.fixture
def nonsense_server() -> Iterator[int]:
    """A TCP server that answers anything with bytes that are not DICOM, then closes."""
    with answering(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") as port:
        yield port


@contextlib.contextmanager
def answering(reply: bytes) -> Iterator[int]:
    """A TCP server that answers whatever it is sent first with ``reply`` (nothing, when empty), then closes the
    connection; the port it listens on."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((HOST, 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                with contextlib.suppress(OSError):
                    connection.recv(65536)
                    connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        listener.close()
