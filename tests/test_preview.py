"""`confgen preview`, run as a user runs it (a subprocess on a free port), seen by real clients: headless Chromium
(driven by tests/checkers/browser.mjs, as the HTML checkers drive it) for what a person at the browser sees, and
http.client for the paths, the methods, the PDF and the reload channel.

Nothing here sleeps for a fixed time: each wait is for something to happen (the URL line, an event of the reload
channel, a text on the page), with a deadline.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import EXAMPLE_TEXT, ROOT, edit, line_of
from test_html_checkers import CHECKERS, CHROMIUM, NODE_MODULES, require

from confgen.build import Options, build
from confgen.preview import BEGIN, END, Preview

DEADLINE = 60.0  # seconds for anything to happen: generous, for a loaded machine; no test waits this long to pass
NAME = "acme-ct.yaml"
CODE, MISPRINT = '        "0122": >-', '        "0112": >-'  # an error (D310) in a line of its own
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="{}"/></svg>'


class Lines:
    """The lines a process writes to a pipe, read as they come, each wait with a deadline."""

    def __init__(self, stream: Any) -> None:
        self.fd = stream.fileno()
        self.buffer = b""
        self.seen: list[str] = []
        self.closed = False

    def until(self, wanted: Callable[[str], bool], timeout: float = DEADLINE) -> str:
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                text = line.decode("utf-8", errors="replace")
                self.seen.append(text)
                if wanted(text):
                    return text
            left = deadline - time.monotonic()
            if self.closed or left <= 0:
                raise AssertionError(f"no such line within {timeout} s; the lines were:\n" + "\n".join(self.seen))
            with selectors.DefaultSelector() as waiting:
                waiting.register(self.fd, selectors.EVENT_READ)
                if waiting.select(left):
                    data = os.read(self.fd, 65536)
                    self.closed = not data
                    self.buffer += data

    def rest(self, timeout: float = DEADLINE) -> str:
        """Everything up to the end of the stream (or the deadline)."""
        with contextlib.suppress(AssertionError):
            self.until(lambda _: False, timeout)
        return "\n".join([*self.seen, self.buffer.decode("utf-8", errors="replace")])


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    errors: Lines
    folder: Path
    stopped: tuple[int, str] | None = field(default=None)

    @property
    def profile(self) -> Path:
        return self.folder / NAME

    def stop(self, how: int = signal.SIGINT) -> tuple[int, str]:
        """Stop it as Ctrl-C (or ``how``) does: its exit code and everything it wrote on standard error."""
        if self.stopped is None:
            self.process.send_signal(how)
            code = self.process.wait(DEADLINE)
            self.stopped = code, self.errors.rest()
        return self.stopped


@contextmanager
def preview(folder: Path, *options: str, text: str = EXAMPLE_TEXT, name: str = NAME) -> Iterator[Running]:
    """``confgen preview acme-ct.yaml`` (or ``name``) in ``folder`` (the profile written there first), on a port the
    system chooses; yields once it has printed its URL. Stopped at the end if the test did not stop it."""
    (folder / name).write_text(text, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "confgen", "preview", name, *options], cwd=folder,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        errors = Lines(process.stderr)
        line = errors.until(lambda line: "http://" in line)
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        running = Running(process, found.group(0), int(found.group(1)), errors, folder)
        yield running
        if running.stopped is None:  # a test that stops it checks how it stopped
            code, said = running.stop()
            assert "Traceback" not in said, said
            assert code == 130, said
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(DEADLINE)
        assert process.stderr
        process.stderr.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def ask(running: Running, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Answer:
    """One request, with the path sent exactly as given (no client tidies '..' away)."""
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=DEADLINE)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


class Events:
    """The reload channel, as the page's EventSource reads it."""

    def __init__(self, running: Running) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=DEADLINE)
        self.connection.request("GET", "/events")
        self.response = self.connection.getresponse()

    def next(self) -> int:
        """The generation in the next event (comments and the retry field are skipped)."""
        while True:
            line = self.response.readline()
            assert line, "the reload channel closed"
            if line.startswith(b"data: "):
                return int(line[len(b"data: "):])

    def close(self) -> None:
        self.response.close()  # the response holds the socket once the connection has let go of it
        self.connection.close()


def page(running: Running) -> str:
    answer = ask(running, "/")
    assert answer.status == 200
    return answer.body.decode("utf-8")


def until_page(running: Running, events: Events, wanted: Callable[[str], bool]) -> str:
    """The page, once it is as ``wanted``: looked at again after each event of the reload channel."""
    deadline = time.monotonic() + DEADLINE
    while True:
        now = page(running)
        if wanted(now):
            return now
        assert time.monotonic() < deadline, f"the page never became as wanted; it is:\n{panel_of(now)}"
        events.next()


def panel_of(served: str) -> str:
    """The preview's piece of a served page."""
    start, end = served.index(BEGIN), served.index(END)
    return served[start:end]


def has_panel(served: str) -> bool:
    return 'id="confgen-preview"' in served


def without_piece(served: str) -> str:
    start, end = served.index(BEGIN), served.index(END) + len(END) + 1
    return served[:start] + served[end:]


# -- what is served ---------------------------------------------------------------------------------------------


def test_the_page_is_what_build_writes_with_the_reload_script_added(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with preview(tmp_path) as running:
        answer = ask(running, "/")
        built = build(running.profile, Options(out, formats=("html",)))
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["cache-control"] == "no-store"
    built_html = (out / "acme-ct.html").read_bytes()
    assert built.written == [out / "acme-ct.html"]
    served = answer.body.decode("utf-8")
    assert without_piece(served).encode("utf-8") == built_html
    assert 'new EventSource("/events")' in panel_of(served)
    assert b"EventSource" not in built_html
    assert BEGIN.encode() not in built_html
    assert not has_panel(served)  # no diagnostics, no panel


@pytest.mark.parametrize("path", ["/../pyproject.toml", "/etc/passwd", "//etc/passwd", "/%2e%2e/pyproject.toml",
                                  f"/{NAME}", "/index.html", "/statement.html", "/events/", "/statement.pdf/x",
                                  "/.", "/confgen/", "/x/../"])
def test_nothing_but_the_statement_its_pdf_and_the_reload_channel(tmp_path: Path, path: str) -> None:
    with preview(tmp_path) as running:
        answer = ask(running, path)
        head = ask(running, path, "HEAD")
    assert answer.status == 404, (path, answer)
    assert b"root:" not in answer.body
    assert b"[project]" not in answer.body
    assert b"confgen:" not in answer.body
    assert head.status == 404
    assert head.body == b""


def test_head_answers_as_get_without_the_body(tmp_path: Path) -> None:
    with preview(tmp_path) as running:
        got, head = ask(running, "/?any=query"), ask(running, "/", "HEAD")
    assert got.status == head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(got.body))


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW"])
def test_every_method_but_get_and_head_is_405(tmp_path: Path, method: str) -> None:
    with preview(tmp_path) as running:
        answer = ask(running, "/", method)
        still = ask(running, "/")
    assert answer.status == 405
    assert answer.headers["allow"] == "GET, HEAD"
    assert still.status == 200


def test_a_request_for_another_host_name_is_refused(tmp_path: Path) -> None:
    # A page of another site whose name was pointed at 127.0.0.1 (DNS rebinding) sends that name.
    with preview(tmp_path) as running:
        other = ask(running, "/", headers={"Host": f"attacker.example:{running.port}"})
        local = ask(running, "/", headers={"Host": f"localhost:{running.port}"})
    assert other.status == 403
    assert b"Acme" not in other.body
    assert local.status == 200


def test_it_listens_on_the_loopback_address_only(tmp_path: Path) -> None:
    # 127.0.0.2 is this machine too: a server listening on every address (0.0.0.0) would answer there.
    with preview(tmp_path) as running, pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", running.port), timeout=DEADLINE).close()


def loaded_libraries(pid: int) -> str:
    maps = Path(f"/proc/{pid}/maps")
    if not maps.exists():
        pytest.skip("no /proc: which libraries a process loaded cannot be seen")
    return maps.read_text(encoding="utf-8", errors="replace")


def test_the_pdf_is_built_on_request_and_is_the_builds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with preview(tmp_path) as running:
        # WeasyPrint loads Pango when it is imported: until the PDF is asked for, it is not.
        assert "libpango" not in loaded_libraries(running.process.pid)
        answer = ask(running, "/statement.pdf")
        assert "libpango" in loaded_libraries(running.process.pid)
        again = ask(running, "/statement.pdf")
        build(running.profile, Options(out, formats=("pdf",)))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == "inline; filename*=UTF-8''acme-ct.pdf"
    assert answer.body == (out / "acme-ct.pdf").read_bytes() == again.body
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(answer.body)).pages)
    assert "Acme CT 4.2.0" in text


def test_the_pdf_follows_the_profile_and_is_refused_while_it_has_errors(tmp_path: Path) -> None:
    broken = edit(CODE, MISPRINT)
    with preview(tmp_path, "--pdf-variant", "none") as running:
        events = Events(running)
        events.next()
        running.profile.write_text(edit("  product: Acme CT\n", "  product: Acme CT Nova\n"), encoding="utf-8")
        until_page(running, events, lambda now: "Acme CT Nova" in now)
        first = ask(running, "/statement.pdf")
        running.profile.write_text(broken, encoding="utf-8")
        until_page(running, events, lambda now: "D310" in now)
        refused = ask(running, "/statement.pdf")
        events.close()
    assert first.status == 200
    reader = pypdf.PdfReader(io.BytesIO(first.body))
    assert "Acme CT Nova 4.2.0" in reader.pages[0].extract_text()
    assert "pdfaid" not in str(reader.xmp_metadata.xmp_metadata if reader.xmp_metadata else "")  # --pdf-variant none
    assert refused.status == 409
    assert refused.headers["content-type"] == "text/html; charset=utf-8"
    assert f"{NAME}:{line_of(broken, MISPRINT)}:9: error D310" in refused.body.decode("utf-8")


def test_a_pdf_that_a_build_would_refuse_is_refused(tmp_path: Path) -> None:
    # No packaged font has 漢: a build writes no PDF (R402), though the HTML is fine.
    with preview(tmp_path, text=edit("  product: Acme CT\n", "  product: Acme CT 漢\n")) as running:
        served = page(running)
        refused = ask(running, "/statement.pdf")
    assert "Acme CT 漢 4.2.0" in served
    assert has_panel(served), "the page says why the PDF will fail, at its line"
    assert "warning S222" in served
    assert refused.status == 409
    assert f"{NAME}: error R402 WeasyPrint: .notdef glyph rendered" in refused.body.decode("utf-8")
    assert "U+6F22" in refused.body.decode("utf-8")


# -- the reload channel and rebuilding ---------------------------------------------------------------------------


def test_the_generation_changes_with_the_page_and_only_then(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / NAME
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    notes: list[str] = []
    state = Preview(profile, None, "pdf/a-2a", {}, notes.append)
    state.rebuild()
    first = state.generation
    state.rebuild()
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")  # saved again, unchanged
    state.rebuild()
    assert state.generation == first
    profile.write_text(edit("  product: Acme CT\n", "  product: Acme CT Nova\n"), encoding="utf-8")
    state.rebuild()
    assert state.generation == first + 1
    profile.write_text(edit(CODE, MISPRINT), encoding="utf-8")
    state.rebuild()
    assert state.generation == first + 2
    broken = state.page().decode("utf-8")
    assert "Acme CT Nova 4.2.0" in broken  # the last statement built without errors
    assert "error D310" in panel_of(broken)
    state.rebuild()  # the same errors again
    assert state.generation == first + 2
    assert notes == [f"{profile}: 0 errors, 0 warnings; the page shows the statement",
                     f"{profile}: 1 error, 0 warnings; the page shows them over the last statement built without "
                     "errors"]
    # The diagnostics on standard output, once each time they change (none at first).
    [printed] = capsys.readouterr().out.splitlines()
    assert printed.startswith(f"{profile}:{line_of(edit(CODE, MISPRINT), MISPRINT)}:9: error D310 0112 is ")


def test_the_reload_channel_sends_the_pages_generation_now_and_after_each_change(tmp_path: Path) -> None:
    with preview(tmp_path) as running:
        events = Events(running)
        assert events.response.status == 200
        assert events.response.getheader("Content-Type") == "text/event-stream"
        first = events.next()
        assert f'const shown = "{first}";' in page(running)
        running.profile.write_text(edit("  product: Acme CT\n", "  product: Acme CT Nova\n"), encoding="utf-8")
        second = events.next()
        served = page(running)
        # The same bytes saved again change no page: no event, and the page's generation is the same.
        running.profile.write_text(edit("  product: Acme CT\n", "  product: Acme CT Nova\n"), encoding="utf-8")
        running.profile.write_text(edit("  product: Acme CT\n", "  product: Acme CT Prime\n"), encoding="utf-8")
        third = events.next()
        events.close()
    assert second > first
    assert third > second
    assert f'const shown = "{second}";' in served
    assert "Acme CT Nova 4.2.0" in served


def tasks(pid: int) -> int:
    folder = Path(f"/proc/{pid}/task")
    if not folder.exists():
        pytest.skip("no /proc: a process's threads cannot be counted")
    return len(list(folder.iterdir()))


def test_a_client_that_leaves_leaves_no_thread_behind(tmp_path: Path) -> None:
    with preview(tmp_path) as running:
        pid = running.process.pid
        page(running)
        before = tasks(pid)
        clients = [Events(running) for _ in range(5)]
        for client in clients:
            client.next()
        assert tasks(pid) >= before + 5
        for client in clients:
            client.close()
        deadline = time.monotonic() + DEADLINE
        while tasks(pid) > before:
            assert time.monotonic() < deadline, f"{tasks(pid) - before} threads are still serving clients that left"
            time.sleep(0.1)  # polling a count, with a deadline: not a wait for a fixed time
        page(running)


def test_saves_half_written_deleted_recreated_and_renamed_over_never_stop_it(tmp_path: Path) -> None:
    nova = edit("  product: Acme CT\n", "  product: Acme CT Nova\n")
    with preview(tmp_path) as running:
        events = Events(running)
        events.next()
        profile = running.profile
        # An editor that truncates, then writes: seen empty or half written, then whole.
        with profile.open("w", encoding="utf-8") as stream:
            stream.write(nova[: len(nova) // 2])
            stream.flush()
            until_page(running, events, lambda now: "error" in panel_of(now))
            stream.write(nova[len(nova) // 2:])
        until_page(running, events, lambda now: "Acme CT Nova 4.2.0" in now and not has_panel(now))
        # Deleted: the page says so, over the last statement.
        profile.unlink()
        gone = until_page(running, events, lambda now: "F101" in now)
        assert "Acme CT Nova 4.2.0" in gone
        assert "cannot read the profile" in panel_of(gone)
        # Created again.
        profile.write_text(edit("  product: Acme CT\n", "  product: Acme CT Prime\n"), encoding="utf-8")
        until_page(running, events, lambda now: "Acme CT Prime 4.2.0" in now and "F101" not in now)
        # Replaced by a rename, as editors that write a copy and move it into place save.
        staged = tmp_path / ".acme-ct.yaml.swp"
        staged.write_text(edit("  product: Acme CT\n", "  product: Acme CT Ultra\n"), encoding="utf-8")
        staged.replace(profile)
        until_page(running, events, lambda now: "Acme CT Ultra 4.2.0" in now)
        # A folder in its place, then a profile again.
        profile.unlink()
        profile.mkdir()
        until_page(running, events, lambda now: "F101" in now)
        profile.rmdir()
        profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
        until_page(running, events, lambda now: "Acme CT 4.2.0" in now and "F101" not in now)
        events.close()


def test_the_logo_is_watched_even_while_it_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text(SVG.format("red"), encoding="utf-8")
    text = edit("  product: Acme CT\n", "  product: Acme CT\n  logo: logo.svg\n")
    with preview(tmp_path, text=text) as running:
        events = Events(running)
        events.next()
        red = base64.b64encode(SVG.format("red").encode()).decode()
        assert red in page(running)
        (tmp_path / "logo.svg").write_text(SVG.format("blue"), encoding="utf-8")
        blue = base64.b64encode(SVG.format("blue").encode()).decode()
        until_page(running, events, lambda now: blue in now)
        (tmp_path / "logo.svg").unlink()
        refused = until_page(running, events, lambda now: "S210" in now)
        assert blue in refused  # the last statement, under the error
        assert f"{NAME}:{line_of(text, 'logo:')}:" in panel_of(refused)
        # The profile failed validation, so nothing but its text names the logo: it is watched all the same.
        (tmp_path / "logo.svg").write_text(SVG.format("green"), encoding="utf-8")
        green = base64.b64encode(SVG.format("green").encode()).decode()
        until_page(running, events, lambda now: green in now and "S210" not in now)
        events.close()


def test_a_template_error_shows_on_the_page_and_its_fix_rebuilds(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    packaged = (ROOT / "templates" / "statement.html.j2").read_text(encoding="utf-8")
    (templates / "statement.html.j2").write_text(packaged, encoding="utf-8")
    with preview(tmp_path, "--templates", str(templates)) as running:
        events = Events(running)
        events.next()
        broken = packaged.replace("<main>", "<main>\n{% if %}", 1)
        (templates / "statement.html.j2").write_text(broken, encoding="utf-8")
        failed = until_page(running, events, lambda now: "R401" in now)
        assert f"statement.html.j2:{line_of(broken, '{% if %}')}" in panel_of(failed)
        assert "Acme CT 4.2.0" in failed
        # A template added beside it, which the packaged statement includes by name, is picked up too.
        (templates / "statement.html.j2").write_text(packaged, encoding="utf-8")
        (templates / "statement.css").write_text("body { color: #123456; }\n", encoding="utf-8")
        fixed = until_page(running, events, lambda now: "#123456" in now)
        assert "R401" not in fixed
        events.close()


def test_the_configuration_gives_templates_and_ignored_rules_as_it_does_to_build(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "statement.css").write_text("body { color: #654321; }\n", encoding="utf-8")
    (tmp_path / "confgen.toml").write_text('templates = "brand"\nignore = ["D312"]\n', encoding="utf-8")
    warned = edit('          related_fields: ["(0000,0902)"]', "          related_fields: [ErrorID]")
    with preview(tmp_path, text=warned) as running:
        served = page(running)
    assert "#654321" in served
    assert not has_panel(served), "D312 is ignored project-wide: no warning to show"


def test_diagnostics_on_the_page_are_text_never_markup(tmp_path: Path) -> None:
    hostile = EXAMPLE_TEXT + '"<img src=x onerror=alert(1)>": 1\n'
    with preview(tmp_path, text=hostile) as running:
        served = page(running)
    panel = panel_of(served)
    assert "S201" in panel
    assert "No statement yet" in served
    assert "&lt;img src=x onerror=alert(1)&gt;" in panel
    assert "<img" not in panel


def test_a_file_name_that_is_not_text_is_shown_escaped(tmp_path: Path) -> None:
    name = os.fsdecode(b"acme-\xff\x1b[31m.yaml")  # a byte that is not UTF-8, and a terminal's escape sequence
    with preview(tmp_path, name=name) as running:
        answer = ask(running, "/")
        pdf = ask(running, "/statement.pdf")
    assert answer.status == 200
    panel = panel_of(answer.body.decode("utf-8"))
    assert "acme-\\udcff\\x1b[31m.yaml: error S220 the file name" in panel
    assert pdf.status == 409
    assert "\x1b" not in running.errors.rest()


# -- starting and stopping ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("how", "code", "said"), [(signal.SIGINT, 130, "interrupted"),
                                                    (signal.SIGTERM, 143, "terminated")])
def test_it_stops_on_ctrl_c_and_sigterm_while_serving(tmp_path: Path, how: int, code: int, said: str) -> None:
    with preview(tmp_path) as running:
        events = Events(running)
        events.next()  # a client is connected when it stops
        ask(running, "/statement.pdf")
        stopped = running.stop(how)
        assert b"data:" not in events.response.read()  # its stream ended (a read would fail at the deadline)
        events.close()
    assert stopped[0] == code
    assert "Traceback" not in stopped[1]
    assert stopped[1].splitlines()[-1] == f"confgen: {said}"


def test_a_profile_that_cannot_be_read_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "confgen", "preview", "missing.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=DEADLINE, check=False)
    assert done.returncode == 2
    assert done.stdout.startswith("missing.yaml: error F101 cannot read the profile")
    assert "Traceback" not in done.stderr
    assert "http://" not in done.stderr


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / NAME).write_text(EXAMPLE_TEXT, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "confgen", "preview", NAME, "--port", str(port)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=DEADLINE, check=False)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stderr


def test_port_and_options_are_checked_as_arguments(cli: Any) -> None:
    for bad, says in ((["--port", "65536"], "'65536' is not a port"), (["--port", "-1"], "'-1' is not a port"),
                      (["--port", "http"], "'http' is not a port"), (["--pdf-variant", "pdf/x-4"], "invalid choice"),
                      (["--templates", "/nonexistent"], "--templates /nonexistent: not a folder")):
        run = cli("preview", NAME, *bad)
        assert run.code == 2, bad
        assert run.err.startswith("usage: confgen")
        assert says in run.err


# -- in the browser ----------------------------------------------------------------------------------------------

BROWSER_SCRIPT = CHECKERS / "browser.mjs"


class Browser:
    """One tab of headless Chromium (tests/checkers/browser.mjs), as a person at the browser uses it."""

    def __init__(self, node: str) -> None:
        self.process = subprocess.Popen([node, str(BROWSER_SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        assert self.process.stdout
        self.answers = Lines(self.process.stdout)

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin
        self.process.stdin.write(json.dumps(command).encode() + b"\n")
        self.process.stdin.flush()
        try:
            answer: dict[str, Any] = json.loads(self.answers.until(lambda _: True))
        except AssertionError:
            self.process.kill()
            _, errors = self.process.communicate(timeout=DEADLINE)
            raise AssertionError(f"the browser did not answer {command}: {errors.decode(errors='replace')}") from None
        return answer

    def goto(self, url: str) -> dict[str, Any]:
        return self._ask({"goto": url})

    def wait_for(self, text: str) -> dict[str, Any]:
        seen = self._ask({"waitFor": text, "timeout": int(DEADLINE * 1000)})
        assert seen["found"], f"the page never showed {text!r}; it shows:\n{seen['panel']}\n{seen['text'][:2000]}"
        return seen

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        try:
            code = self.process.wait(DEADLINE)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        assert self.process.stdout
        assert self.process.stderr
        self.process.stdout.close()
        said = self.process.stderr.read().decode(errors="replace")
        self.process.stderr.close()
        assert code == 0, said


@pytest.fixture
def browser() -> Iterator[Browser]:
    node = shutil.which("node")
    require(("node", node is not None), (str(CHROMIUM), CHROMIUM.exists()),
            ("playwright-core in tests/checkers/node_modules", (NODE_MODULES / "playwright-core").is_dir()))
    assert node
    tab = Browser(node)
    try:
        yield tab
    finally:
        tab.close()


def test_in_the_browser_the_page_follows_the_profile_and_shows_its_errors(tmp_path: Path, browser: Browser) -> None:
    with preview(tmp_path) as running:
        opened = browser.goto(running.url)
        assert opened["status"] == 200
        assert "Acme CT 4.2.0" in opened["text"]
        assert "Table 7-42" in opened["text"]
        assert opened["panel"] is None
        assert opened["loads"] == 1

        # Saved with a new product name: the page reloads by itself and shows it.
        running.profile.write_text(edit("  product: Acme CT\n", "  product: Acme CT Nova\n"), encoding="utf-8")
        changed = browser.wait_for("Acme CT Nova 4.2.0")
        assert changed["loads"] == 2
        assert changed["url"] == running.url
        assert changed["panel"] is None

        # Broken: the error, with its line, over the last good statement.
        broken = edit("  product: Acme CT\n", "  product: Acme CT Nova\n", edit(CODE, MISPRINT))
        running.profile.write_text(broken, encoding="utf-8")
        failed = browser.wait_for("D310")
        assert f"{NAME}:{line_of(broken, MISPRINT)}:9: error D310" in failed["panel"]
        assert "1 error; the statement below is the last one built without errors" in failed["panel"]
        assert "Acme CT Nova 4.2.0" in failed["text"]

        # User text in a diagnostic is shown as text: no element, no script run.
        running.profile.write_text(broken.replace(MISPRINT, CODE) +
                                   '"<img src=x onerror=alert(1)>": 1\n', encoding="utf-8")
        hostile = browser.wait_for("S201")
        assert "unknown key '<img src=x onerror=alert(1)>'" in hostile["panel"]
        assert "img" not in hostile["panelElements"]
        assert hostile["dialogs"] == 0

        # Fixed: the error is gone and the page shows the statement as it is now.
        running.profile.write_text(edit("  product: Acme CT\n", "  product: Acme CT Prime\n"), encoding="utf-8")
        fixed = browser.wait_for("Acme CT Prime 4.2.0")
        assert fixed["panel"] is None

        # Nothing else is served: not a file of the folder it runs in, not one of the machine.
        for path in ("../pyproject.toml", "etc/passwd", NAME, "%2e%2e/%2e%2e/etc/passwd"):
            refused = browser.goto(running.url + path)
            assert refused["status"] == 404, path
            assert "root:" not in refused["text"]
            assert "confgen:" not in refused["text"]
        assert fixed["errors"] == []
        back = browser.goto(running.url)
        assert back["status"] == 200
        assert "Acme CT Prime 4.2.0" in back["text"]
