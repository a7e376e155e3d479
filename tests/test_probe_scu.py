"""`confgen probe scu` without a real SCU program: an SCU written with pynetdicom plays the person who sends by hand
(retries included), and commands that fail, never connect, or hang."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from conftest import ROOT, Run
from peers import HOST, free_port

PROFILE = ROOT / "tests" / "profiles" / "storescu.yaml"
TEXT = PROFILE.read_text(encoding="utf-8")


def line_of(key: str) -> int:
    return next(number for number, line in enumerate(TEXT.splitlines(), start=1) if line.strip().startswith(key))


A7XX = line_of('"A700-A7FF"')
CXXX = line_of('"C000-CFFF"')


def listening(port: int) -> bool:
    """Whether a TCP socket listens on ``port`` (IPv4), seen in /proc/net/tcp without connecting to it: a connection
    that is no association would be something the probe observes, and an association asked for before the probe
    listens fails and leaves its socket to be collected (pynetdicom does not close it), which the tests' warnings
    filter makes an error."""
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A" and int(local.rpartition(":")[2], 16) == port:  # 0A: TCP_LISTEN
            return True
    return False


def send_by_hand(port: int, uids: list[str], retry_after: float | None, abort: bool = False) -> threading.Thread:
    """An SCU that waits until the probe listens on the port, sends ``uids`` in one association, and, with
    ``retry_after``, sends the first again on a new association that many seconds later (a retry)."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ImplicitVRLittleEndian, generate_uid
    from pynetdicom import AE

    from confgen.probe.instances import SECONDARY_CAPTURE, TestData, dataset

    test = TestData.new()

    def send(ids: list[str]) -> None:
        ae = AE("BYHAND")
        ae.add_requested_context(SECONDARY_CAPTURE)
        for _ in range(100):
            association = ae.associate(HOST, port)
            if association.is_established:
                break
            time.sleep(0.05)
        for number, uid in enumerate(ids, start=1):
            ds = dataset(SECONDARY_CAPTURE, test, uid, number)
            ds.file_meta = FileMetaDataset()
            ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
            association.send_c_store(ds)
        if abort:
            association.abort()
        else:
            association.release()

    def run() -> None:
        deadline = time.monotonic() + 60  # a bound for a loaded machine, not an expected time
        while not listening(port) and time.monotonic() < deadline:
            time.sleep(0.02)
        send(uids)
        if retry_after is not None:
            time.sleep(retry_after)
            send(uids[:1])

    uids[:] = uids or [generate_uid() for _ in range(2)]
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_by_hand_a_retry_is_seen_with_its_interval(cli: Any, tmp_path: Path) -> None:
    port = free_port()
    uids: list[str] = []
    sender = send_by_hand(port, uids, retry_after=0.5)
    run: Run = cli("probe", "scu", str(PROFILE), "--port", str(port), "--statuses", "A700", "--watch", "2",
                   "--wait", "20", "--report", str(tmp_path / "scu.json"))
    sender.join(10)
    assert run.code == 0, run.out
    assert "send instances from the SCU now" in run.err
    [line] = run.out.splitlines()
    assert line.startswith(f"{PROFILE}:{A7XX}:9: note V610 answered A700 to the first C-STORE: the "
                           "SCU sent 1 more instance, sent a SOP Instance UID again 1 time (a retry, after ")
    assert ", over 2 associations, then released the association. The table says:" in line


def test_by_hand_an_abort_is_seen(cli: Any) -> None:
    port = free_port()
    sender = send_by_hand(port, [], retry_after=None, abort=True)
    run: Run = cli("probe", "scu", str(PROFILE), "--port", str(port), "--statuses", "B000", "--watch", "1",
                   "--wait", "20")
    sender.join(10)
    assert "note V610 answered B000 to the first C-STORE: the SCU sent 1 more instance, then aborted the " \
           "association. The table says: \"Treated as success; the next file is sent.\"" in run.out


def test_by_hand_nothing_sent_is_a_warning(cli: Any) -> None:
    run = cli("probe", "scu", str(PROFILE), "--port", str(free_port()), "--statuses", "C000", "--wait", "1")
    assert run.code == 0, "an observation, not a failure"
    assert run.out.split()[2] == "V611"
    assert run.out.strip() == (f"{PROFILE}:{CXXX}:9: warning V611 answered nothing: the SCU sent no "
                               "C-STORE (it never connected) while C000 was to be answered, so this row was not "
                               "observed")


def test_a_command_that_cannot_run_exits_2(cli: Any) -> None:
    run = cli("probe", "scu", str(PROFILE), "--port", str(free_port()), "--statuses", "0000",
              "--command", "/no/such/storescu 127.0.0.1 104 x.dcm")
    assert run.code == 2
    assert f"{PROFILE}: error V623 --command: cannot run /no/such/storescu: No such file or directory" in run.out
    assert "Traceback" not in run.err


def test_a_command_that_hangs_is_stopped_after_watch(cli: Any) -> None:
    run = cli("probe", "scu", str(PROFILE), "--port", str(free_port()), "--statuses", "0000", "--watch", "1",
              "--command", f'"{sys.executable}" -c "import time; time.sleep(60)"')
    assert run.code == 0
    assert "warning V611 answered nothing: the SCU sent no C-STORE (it never connected)" in run.out


def test_a_port_that_is_taken_exits_2(cli: Any) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = cli("probe", "scu", str(PROFILE), "--port", str(port), "--statuses", "0000", "--wait", "1")
    assert run.code == 2
    assert f"error V620 cannot listen on 127.0.0.1:{port}: Address already in use" in run.out


def test_statuses_must_be_codes(cli: Any) -> None:
    run = cli("probe", "scu", str(PROFILE), "--port", "104", "--statuses", "A700,A7XX")
    assert run.code == 2
    assert "'A7XX' is not a status code" in run.err


def test_a_code_with_its_own_row_is_not_answered_for_its_range(cli: Any, tmp_path: Path) -> None:
    # A700 has a row of its own, beside the A700-A7FF row: each status answered stands for one row only.
    text = TEXT.replace('        "A700-A7FF": *halts\n', '        "A700-A7FF": *halts\n        "A700": *halts\n')
    assert text != TEXT
    profile = tmp_path / "storescu.yaml"
    profile.write_text(text, encoding="utf-8")
    run = cli("probe", "scu", str(profile), "--port", str(free_port()), "--watch", "1",
              "--command", f'"{sys.executable}" -c pass')
    assert run.code == 0, run.out
    answered = {line.split(":")[1]: line.split(" while ")[1].split()[0] for line in run.out.splitlines()}
    lines = {key: str(number) for number, line in enumerate(text.splitlines(), start=1)
             for key in ('"A700-A7FF"', '"A700"', '"A900-A9FF"') if line.strip().startswith(key)}
    assert answered[lines['"A700"']] == "A700"
    assert answered[lines['"A700-A7FF"']] == "A701", "the first code of the range without a row of its own"
    assert answered[lines['"A900-A9FF"']] == "A900"
    assert len(answered) == len(run.out.splitlines()), "one status for each row"


def test_an_association_collected_before_the_next_leaves_its_number(tmp_path: Path) -> None:
    # A retry on a new association after the first has ended and been collected is still a second association
    # (the retry test above flaked when the collector ran between the two).
    import gc

    from confgen.probe.results import Plan
    from confgen.probe.scu_probe import Listener, Watch, observe

    class Association:  # what pynetdicom hands the handlers: an object the listener keeps weakly
        pass

    listener = Listener(HOST, free_port(), "CONFGEN", 5.0)
    try:
        scenario = listener.begin(0xA700, None)
        first = Association()
        for kind in ("association", "store", "released"):
            listener._record(first, kind, "1.2.3" if kind == "store" else None)
        del first
        gc.collect()
        second = Association()
        for kind in ("association", "store", "released"):
            listener._record(second, kind, "1.2.3" if kind == "store" else None)
        observation = observe(Plan("A700-A7FF", 0xA700, None), scenario, None, Watch(2.0, 20.0, 600.0), None, "")
    finally:
        listener.stop()
    assert observation.associations == 2
    assert ", over 2 associations, then released the association" in observation.did


def test_an_scu_that_never_stops_is_watched_for_max_watch_at_most(cli: Any) -> None:
    # An SCU that sends every 0.3 s, for longer than any test runs: never silent for --watch seconds.
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ImplicitVRLittleEndian, generate_uid
    from pynetdicom import AE

    from confgen.probe.instances import SECONDARY_CAPTURE, TestData, dataset

    port = free_port()
    stop = threading.Event()

    def send_for_ever() -> None:
        ae = AE("BUSY")
        ae.add_requested_context(SECONDARY_CAPTURE)
        test = TestData.new()
        time.sleep(0.5)  # while confgen starts listening
        while not stop.is_set():
            association = ae.associate(HOST, port)
            if association.is_established:
                break
            time.sleep(0.05)
        number = 0
        while not stop.is_set() and association.is_established:
            number += 1
            ds = dataset(SECONDARY_CAPTURE, test, generate_uid(), number)
            ds.file_meta = FileMetaDataset()
            ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
            association.send_c_store(ds)
            time.sleep(0.3)
        if association.is_established:
            association.abort()

    sender = threading.Thread(target=send_for_ever, daemon=True)
    sender.start()
    started = time.monotonic()
    try:
        run: Run = cli("probe", "scu", str(PROFILE), "--port", str(port), "--statuses", "A700", "--watch", "2",
                       "--max-watch", "3", "--wait", "20")
    finally:
        stop.set()
        sender.join(10)
    assert time.monotonic() - started < 15
    assert run.code == 0, run.out
    assert [line.split()[2] for line in run.out.splitlines()] == ["V610", "V612"]
    [observed, capped] = run.out.splitlines()
    assert observed.startswith(f"{PROFILE}:{A7XX}:9: note V610 answered A700 to the first C-STORE: the SCU sent ")
    assert ", then was still busy after 3 s (--max-watch), when confgen stopped watching. The table says:" in observed
    assert capped == (f"{PROFILE}:{A7XX}:9: warning V612 after A700 the SCU was still busy when --max-watch (3 s) ran "
                      "out: what it did after that is not observed")
