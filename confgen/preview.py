"""`confgen preview PROFILE`: the statement's HTML, served on the loopback address while the profile is written.

The pipeline is the build's: ``build.check`` loads and validates the profile, ``job.render_outputs`` renders it, so
the page is byte for byte what ``confgen build --to html`` writes, with a small piece added before ``</body>`` for
the preview only: a script that reloads the page when the statement changes (over server-sent events) and, when
the profile has errors or warnings, a panel that lists them above the last statement built without errors.

A thread polls the inputs (the profile, the logo it names, the template folders) for changes in their size, times
and inode about four times a second, and rebuilds. Whatever the inputs are in the meantime (half-written, deleted,
replaced by a rename, a template that fails) becomes diagnostics on the page, never an exception.

Three paths are served, and nothing else: ``/`` (the statement), ``/statement.pdf`` (rendered on request: WeasyPrint
is imported only then) and ``/events`` (the reload channel). Only GET and HEAD are answered; other methods are 405.
"""

from __future__ import annotations

import html
import json
import os
import re
import selectors
import signal
import socket
import socketserver
import sys
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from confgen import resources, rules
from confgen.build import check
from confgen.diagnostics import Diagnostic, Report, Severity, one_line
from confgen.profile import Profile
from confgen.records import record
from confgen.source import load

HOST = "127.0.0.1"  # the loopback address only: the preview is for the person at this machine
POLL = 0.25  # seconds between two looks at the inputs
KEEPALIVE = 2.0  # seconds between two comments on a quiet reload channel: a client that left is noticed by then
REQUEST_TIMEOUT = 30.0  # seconds a client may take to send its request, or to take what is sent to it
STOP_TIMEOUT = 5.0  # seconds the watcher is given to finish a rebuild when the preview stops
RENDER_WAIT = 120.0  # seconds a rebuild or a PDF waits for the render before it (a PDF takes one or two)
WATCH_LIMIT = 1000  # files of a templates folder that are watched: a folder of templates has a few

PAGE_PATH = "/"
PDF_PATH = "/statement.pdf"
EVENTS_PATH = "/events"

# What the preview adds to the statement, between these two comments (the files a build writes never have it).
BEGIN = "<!-- confgen preview -->"
END = "<!-- /confgen preview -->"

_PANEL_STYLE = (
    "position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:50vh;overflow:auto;margin:0;"
    "padding:.5rem 1rem;font:14px/1.4 system-ui,sans-serif;color:#1a1a1a;background:#fff;"
    "box-shadow:0 2px 8px rgba(0,0,0,.3);border-bottom:4px solid {color}"
)
_RELOAD_SCRIPT = """<script id="confgen-preview-reload">
(() => {{
  const shown = {generation};
  const events = new EventSource({events});
  events.onmessage = (event) => {{
    if (event.data !== shown) {{
      events.close();
      location.reload();
    }}
  }};
}})();
</script>"""


@record(frozen=True)
class _Outcome:
    """What one rebuild gave: the statement's HTML (None when the profile has errors or rendering failed), the
    profile it was rendered from, and the diagnostics."""

    html: str | None
    profile: Profile | None
    diagnostics: tuple[Diagnostic, ...]


class Preview:
    """The statement as it is now: the page served, the last statement built without errors, and a generation
    number that changes whenever the page does (the reload channel sends it)."""

    def __init__(self, profile: Path, templates: Path | None, pdf_variant: str, ignored: Mapping[str, str],
                 note: Callable[[str], None]) -> None:
        self.profile = profile
        self.shown_as = str(profile)  # as diagnostics name it
        self.name = one_line(self.shown_as)  # as a page names it: a file name need not be text (S220)
        self.templates = templates
        self.pdf_variant = pdf_variant
        self.ignored = ignored  # the rules the configuration ignores project-wide, as build and validate ignore them
        self.note = note
        self._rendering = threading.Lock()  # one render at a time: WeasyPrint's warnings and logging are global
        self._changed = threading.Condition()
        self._stopping = False
        self.generation = 0
        self._page = b""
        self._shown: tuple[str | None, bool, tuple[str, ...]] | None = None  # what the page shows
        self._last_good: _Outcome | None = None
        self._current: _Outcome | None = None
        self._version = 0  # counts rebuilds: the cached PDF is of one of them
        self._pdf: tuple[int, bytes] | None = None
        self._logo: Path | None = None
        self._printed: tuple[str, ...] | None = None
        self._stdout_open = True

    # Building

    def rebuild(self) -> bool:
        """Check and render the profile as it is on disk now, and publish the page; False when another render held
        the renderer too long (the caller tries again)."""
        if not self._rendering.acquire(timeout=RENDER_WAIT):
            return False
        try:
            outcome = self._build()
        finally:
            self._rendering.release()
        with self._changed:
            self._version += 1
            self._current = outcome
            if outcome.html is not None:
                self._last_good = outcome
            good = self._last_good.html if self._last_good else None
            shown = (good, outcome.html is None, tuple(d.format() for d in outcome.diagnostics))
            changed = shown != self._shown
            if changed:
                self._shown = shown
                self.generation += 1
                self._page = _page(good, outcome, self.name, self.generation).encode("utf-8")
                self._changed.notify_all()
        self._tell(outcome, changed and self.generation > 1)  # the first is told by the diagnostics, then the URL
        return True

    def _build(self) -> _Outcome:
        from confgen.job import render_outputs  # the renderer, as a build uses it (Jinja, not WeasyPrint)

        report = Report(self.shown_as)
        try:
            self._logo = _logo_named_in(self.profile)
            result = check(self.profile, self.shown_as, self.ignored)
            report = result.report
            if result.profile is not None and not report.failed():
                rendered = render_outputs(result.profile, report, formats=("html",), pdf_variant=self.pdf_variant,
                                          templates=self.templates)
                if rendered is not None:
                    html_bytes = rendered[0][0]
                    return _Outcome(html_bytes.decode("utf-8"), result.profile, tuple(report.sorted()))
        except Exception as error:  # a defect of confgen's, or a machine in a state it did not foresee
            report.add(rules.R403, None, f"{type(error).__name__}: {error}")
        return _Outcome(None, None, tuple(report.sorted()))

    @property
    def unreadable(self) -> bool:
        """Whether the profile could not be read at all (the usage errors, exit 2), as the first build found."""
        return self._current is not None and any(d.rule.exit_code == 2 for d in self._current.diagnostics)

    def _tell(self, outcome: _Outcome, changed: bool) -> None:
        """The diagnostics on standard output when they change, and a note on standard error when the page does."""
        lines = tuple(d.format() for d in outcome.diagnostics)
        if lines != self._printed and self._stdout_open:
            self._printed = lines
            try:
                for line in lines:
                    print(line)
                sys.stdout.flush()
            except (OSError, ValueError):
                self._stdout_open = False  # nowhere to print them: the page still shows them
        if changed:
            errors = sum(d.severity is Severity.ERROR for d in outcome.diagnostics)
            warnings = sum(d.severity is Severity.WARNING for d in outcome.diagnostics)
            counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
            shows = "the page shows them over the last statement built without errors" if outcome.html is None \
                else "the page shows the statement"
            self.note(f"{self.name}: {counts}; {shows}")

    # Watching

    def inputs(self) -> tuple[tuple[str, tuple[int, ...] | None], ...]:
        """How each input looks now: the profile, the logo it names, and the files of the template folders, each
        with its inode, size and times (None when it is missing)."""
        found = [(str(self.profile), _signature(self.profile))]
        if self._logo is not None:
            found.append((str(self._logo), _signature(self._logo)))
        for folder in (self.templates, resources.templates_dir()):
            if folder is not None:
                found += _folder_signatures(folder)
        return tuple(found)

    def watch(self) -> None:
        """Rebuild whenever the inputs change, until stopped. A change is built once it has held for one look, so
        that a save (an editor's truncate, then write) is rarely seen half done."""
        built = self.inputs()
        pending = built
        while not self._stop_requested(POLL):
            try:
                now = self.inputs()
                if now == built:
                    pending = built
                    continue
                if now != pending:
                    pending = now
                    continue
                if self.rebuild():
                    built = pending
            except Exception as error:  # a defect of confgen's: said, and the preview goes on watching
                self.note(f"confgen preview: rebuilding failed: {type(error).__name__}: {error}")

    def _stop_requested(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._stopping, timeout)

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    # Serving

    def page(self) -> bytes:
        with self._changed:
            return self._page

    def next_generation(self, seen: int | None, timeout: float) -> int | None:
        """The generation once it is not ``seen`` (or when ``timeout`` has passed); None when the preview stops."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self.generation != seen, timeout)
            return None if self._stopping else self.generation

    def pdf(self) -> tuple[int, str, bytes]:
        """(HTTP status, media type, body): the statement's PDF, rendered from the profile as it is now, or a page
        that says why there is none."""
        if not self._rendering.acquire(timeout=RENDER_WAIT):
            return 503, "text/plain; charset=utf-8", b"The renderer is busy; ask again.\n"
        try:
            return self._pdf_now()
        finally:
            self._rendering.release()

    def _pdf_now(self) -> tuple[int, str, bytes]:
        """The PDF as ``pdf`` answers it, the renderer held."""
        with self._changed:
            current, version, cached = self._current, self._version, self._pdf
        if current is None or current.profile is None:
            diagnostics = current.diagnostics if current else ()
            return 409, "text/html; charset=utf-8", _no_pdf(self.name, diagnostics).encode("utf-8")
        if cached is not None and cached[0] == version:
            return 200, "application/pdf", cached[1]
        from confgen.job import render_outputs

        report = Report(self.shown_as)
        rendered = None
        try:
            rendered = render_outputs(current.profile, report, formats=("pdf",), pdf_variant=self.pdf_variant,
                                      templates=self.templates)
        except Exception as error:  # as a build: a defect is this profile's diagnostic, never a crash
            report.add(rules.R403, None, f"{type(error).__name__}: {error}")
        if rendered is None or report.has_errors:
            return 409, "text/html; charset=utf-8", _no_pdf(self.name, tuple(report.sorted())).encode("utf-8")
        data = rendered[0][0]
        with self._changed:
            self._pdf = (version, data)
        return 200, "application/pdf", data


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        found = path.stat()
    except (OSError, ValueError):
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_mode


def _folder_signatures(folder: Path) -> list[tuple[str, tuple[int, ...] | None]]:
    """Every entry under ``folder`` (symbolic links to folders are not followed), in a stable order, up to
    WATCH_LIMIT of them."""
    found: list[tuple[str, tuple[int, ...] | None]] = [(str(folder), _signature(folder))]
    folders = [str(folder)]
    while folders and len(found) < WATCH_LIMIT:
        try:
            with os.scandir(folders.pop()) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in listed[:WATCH_LIMIT - len(found)]:
            found.append((entry.path, _signature(Path(entry.path))))
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
            except OSError:
                pass
    return found


def _logo_named_in(profile: Path) -> Path | None:
    """The logo file the profile names, even when the profile or the logo has errors (so that fixing the logo
    rebuilds); None when it names none, or one outside its folder."""
    source = load(profile, Report(str(profile)))
    if source is None:
        return None
    logo = _child(_child(source.root, "document"), "logo")
    if not isinstance(logo, yaml.ScalarNode) or not isinstance(logo.value, str) or not logo.value.strip():
        return None
    relative = PurePosixPath(logo.value.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or "\0" in logo.value:
        return None
    return profile.parent / relative


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if isinstance(name, yaml.ScalarNode) and name.value == key), None)


# The page

_END_OF_BODY = re.compile(r"</body\s*>", re.IGNORECASE)


def _page(statement: str | None, outcome: _Outcome, shown_as: str, generation: int) -> str:
    """The statement's HTML (or, before one is built, a page that says so) with the preview's piece added before
    its last ``</body>``."""
    panel = _panel(outcome, shown_as, statement is not None)
    if statement is None:
        statement = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                     f"<title>confgen preview: {html.escape(shown_as)}</title>\n</head>\n<body>\n<main>\n"
                     "<h1>No statement yet</h1>\n<p>The profile has not been built without errors since the preview "
                     "started; the statement appears here once it is.</p>\n</main>\n</body>\n</html>\n")
    piece = f"{BEGIN}\n{panel}{_reload_script(generation)}\n{END}\n"
    ends = list(_END_OF_BODY.finditer(statement))
    if not ends:
        return statement + piece
    at = ends[-1].start()
    return statement[:at] + piece + statement[at:]


def _reload_script(generation: int) -> str:
    return _RELOAD_SCRIPT.format(generation=json.dumps(str(generation)), events=json.dumps(EVENTS_PATH))


def _panel(outcome: _Outcome, shown_as: str, has_statement: bool) -> str:
    """The diagnostics, escaped, in a panel over the statement: open when there are errors, folded when there are
    only warnings."""
    shown = [d for d in outcome.diagnostics if d.severity in (Severity.ERROR, Severity.WARNING)]
    if not shown and outcome.html is not None:
        return ""
    errors = sum(d.severity is Severity.ERROR for d in shown)
    warnings = len(shown) - errors
    counts = ", ".join(part for part in (f"{errors} error{'s' * (errors != 1)}" if errors else "",
                                         f"{warnings} warning{'s' * (warnings != 1)}" if warnings else "") if part)
    if outcome.html is None:
        below = "the statement below is the last one built without errors" if has_statement else \
            "no statement has been built yet"
        summary = f"{shown_as}: {counts}; {below}"
        color, opened = "#b00020", " open"
    else:
        summary, color, opened = f"{shown_as}: {counts}", "#8a6d00", ""
    items = "".join(f'<li style="margin:.25rem 0;white-space:pre-wrap">{html.escape(d.format())}</li>\n'
                    for d in shown)
    return (f'<details id="confgen-preview" role="alert" style="{_PANEL_STYLE.format(color=color)}"{opened}>\n'
            f'<summary style="cursor:pointer;font-weight:bold">{html.escape(summary)}</summary>\n'
            f'<ul style="margin:.5rem 0 0;padding-left:1.25rem;font-family:monospace">\n'
            f"{items}</ul>\n</details>\n")


def _no_pdf(shown_as: str, diagnostics: tuple[Diagnostic, ...]) -> str:
    items = "".join(f'<li style="white-space:pre-wrap">{html.escape(d.format())}</li>\n' for d in diagnostics) or \
        "<li>the profile has not been checked yet</li>\n"
    name = html.escape(shown_as)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>No PDF: {name}</title>\n'
            f"</head>\n<body>\n<main>\n<h1>No PDF of {name}</h1>\n<p>A build would write none:</p>\n"
            f'<ul style="font-family:monospace">\n{items}</ul>\n</main>\n</body>\n</html>\n')


# The server

class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a client's thread never keeps the process alive once it is stopping

    def __init__(self, preview: Preview, port: int) -> None:
        self.preview = preview
        super().__init__((HOST, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer's own looks the host's name up (getfqdn), which may ask the network: the address is known.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Never a traceback: a client that went away is nothing to report, anything else is one line.
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, (ConnectionError, TimeoutError)):
            self.preview.note(f"confgen preview: a request failed: {type(error).__name__}: {error}")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = REQUEST_TIMEOUT  # for reading the request and for each write: a stuck client does not hold a thread
    server_version = "confgen-preview"

    def version_string(self) -> str:
        return self.server_version  # not Python's version too

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def parse_request(self) -> bool:
        # http.server answers a method it has no do_<METHOD> for with 501: every method but GET and HEAD is 405.
        if not super().parse_request():
            return False
        if self.command in ("GET", "HEAD"):
            return True
        self.close_connection = True  # a body the client may have sent is not read
        self._send(405, "text/plain; charset=utf-8", b"Only GET and HEAD are answered.\n", True,
                   {"Allow": "GET, HEAD"})
        return False

    def _answer(self, body: bool) -> None:
        if not self._host_is_loopback():
            self._send(403, "text/plain; charset=utf-8",
                       f"This preview answers requests for {HOST}:{self.server.server_port} only.\n".encode(), body)
            return
        path = urlsplit(self.path).path
        preview = self.server.preview
        if path == PAGE_PATH:
            self._send(200, "text/html; charset=utf-8", preview.page(), body)
        elif path == PDF_PATH:
            status, media_type, data = preview.pdf()
            extra = {"Content-Disposition": "inline; filename*=UTF-8''" +
                     quote(f"{preview.profile.stem}.pdf", safe="", errors="replace")} if status == 200 else {}
            self._send(status, media_type, data, body, extra)
        elif path == EVENTS_PATH:
            self._events(body)
        else:
            self._send(404, "text/plain; charset=utf-8",
                       b"Not found: this preview serves / (the statement), /statement.pdf and /events only.\n", body)

    def _host_is_loopback(self) -> bool:
        """A page of another site, its name re-pointed at 127.0.0.1 (DNS rebinding), sends its own name as Host."""
        host = self.headers.get("Host")
        port = self.server.server_port
        return host is None or host.lower() in (f"{HOST}:{port}", f"localhost:{port}")

    def _send(self, status: int, media_type: str, data: bytes, body: bool,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": media_type, "Content-Length": str(len(data)),
                            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, body: bool) -> None:
        """The reload channel: the page's generation now and after each change, as server-sent events, and a
        comment every KEEPALIVE seconds, until the client leaves or the preview stops."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not body:
            return
        self.close_connection = True
        self.wfile.write(b"retry: 1000\n\n")  # when the preview is restarted, the page finds it within a second
        sent: int | None = None
        while not self._client_left():
            generation = self.server.preview.next_generation(sent, KEEPALIVE)
            if generation is None:
                return
            self.wfile.write(f"data: {generation}\n\n".encode() if generation != sent else b": waiting\n\n")
            sent = generation

    def _client_left(self) -> bool:
        """Whether the client closed its side: an event stream's client sends nothing, so anything readable is
        its end."""
        try:
            with selectors.DefaultSelector() as waiting:
                waiting.register(self.connection, selectors.EVENT_READ)
                readable = waiting.select(0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
        except (OSError, ValueError):
            return True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are not logged: the terminal shows the profile's diagnostics


def preview(profile: Path, port: int, templates: Path | None, pdf_variant: str, ignored: Mapping[str, str],
            note: Callable[[str], None]) -> int:
    """Serve the statement of ``profile`` at http://127.0.0.1:PORT/ until interrupted (Ctrl-C, SIGTERM: the
    caller turns those into exit codes 130 and 143). Returns 2 when the profile cannot be read at all, or the port
    cannot be listened on."""
    state = Preview(profile, templates, pdf_variant, ignored, note)
    try:
        state.rebuild()
    except Exception as error:  # a defect of confgen's (the watcher says the same of a later rebuild and goes on)
        note(f"confgen preview: cannot build {state.name}: {type(error).__name__}: {error}")
        return 1
    if state.unreadable:
        return 2
    try:
        server = _Server(state, port)
    except OSError as error:
        note(f"confgen preview: cannot listen on {HOST}:{port}: {error.strerror or error}")
        return 2
    watcher = threading.Thread(target=state.watch, name="confgen-preview-watch", daemon=True)
    try:
        watcher.start()
        url = f"http://{HOST}:{server.server_port}/"
        note(f"confgen preview: serving {profile} at {url} (the PDF: {url}{PDF_PATH.lstrip('/')}); Ctrl-C stops")
        server.serve_forever(poll_interval=0.5)
    finally:
        # Stopping: a second Ctrl-C would only cut the shutdown short. Event streams and the watcher end now.
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, signal.SIG_IGN)
        state.stop()
        server.server_close()
        watcher.join(STOP_TIMEOUT)
    return 0
