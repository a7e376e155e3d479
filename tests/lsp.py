"""A language-server client for the editor tests: Red Hat's yaml-language-server, the server behind VS Code's YAML
extension and many other editors' YAML support, run as an editor runs it (``--stdio``) and spoken to in the
Language Server Protocol: JSON-RPC messages, each after a ``Content-Length`` header.

Only what the tests need: open a document, wait for its diagnostics, ask for a hover and for completions. The
server's own requests (its configuration, capability registrations) are answered as an editor answers them. The
settings turn off what would reach the network (the JSON Schema Store's catalogue): a profile names its schema in
its first line, a file beside it.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

TIMEOUT = 60.0  # seconds for any one answer; the server answers in milliseconds once it has started

SETTINGS: dict[str, Any] = {
    "yaml": {
        "validate": True,
        "hover": True,
        "completion": True,
        "schemaStore": {"enable": False},  # the catalogue is fetched from the web: never in a test
        "schemaDownload": {"enable": False},
        "yamlVersion": "1.2",  # the server's default, stated: what an editor user gets
    },
}


class LanguageServer:
    """One yaml-language-server process; use it as a context manager, which starts it and stops it (by its PID)."""

    def __init__(self, command: list[str], root: Path) -> None:
        self.command = command
        self.root = root
        self.next_id = 0
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.readers: list[threading.Thread] = []
        self.stderr = b""

    def __enter__(self) -> LanguageServer:
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, cwd=self.root)
        self.readers = [threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True),
                        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True)]
        for reader in self.readers:
            reader.start()
        self.request("initialize", {
            "processId": None,
            "rootUri": self.root.as_uri(),
            "capabilities": {
                "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                "textDocument": {
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "completion": {"completionItem": {"snippetSupport": True,
                                                      "documentationFormat": ["markdown", "plaintext"]}},
                    "publishDiagnostics": {"relatedInformation": True},
                },
            },
            "initializationOptions": {},
        })
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        return self

    def __exit__(self, *exc: object) -> None:
        process = self.process
        assert process is not None
        assert process.stdin is not None
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            process.wait(10)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait(10)
        for reader in self.readers:  # they stop at the end of the server's output
            reader.join(10)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    # -- the protocol ----------------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process is not None
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)  # the server is gone
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            assert length is not None, "a message without Content-Length"
            self.messages.put(json.loads(stream.read(length)))

    def _drain(self, stream: IO[bytes]) -> None:
        for line in stream:
            self.stderr += line

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = TIMEOUT) -> Any:
        self.next_id += 1
        wanted = self.next_id
        self._send({"id": wanted, "method": method, "params": params})
        found = self._until(lambda message: message.get("id") == wanted and "method" not in message, timeout,
                            f"the answer to {method}")
        assert "error" not in found, f"{method}: {found['error']}"
        return found.get("result")

    def _until(self, wanted: Any, timeout: float, what: str) -> dict[str, Any]:
        """Handle the server's messages until one is ``wanted``; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                message = self.messages.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"yaml-language-server sent no {what} in {timeout} s; it said:\n"
                                     f"{self.stderr.decode(errors='replace')}") from None
            if message is None:
                raise AssertionError(f"yaml-language-server stopped; it said:\n{self.stderr.decode(errors='replace')}")
            self._handle(message)
            if wanted(message):
                return message

    def _handle(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method == "textDocument/publishDiagnostics":
            self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
        if method is not None and "id" in message:  # a request of the server's: answer as an editor does
            result: Any = None
            if method == "workspace/configuration":
                result = [_setting(item.get("section")) for item in message["params"]["items"]]
            self._send({"id": message["id"], "result": result})

    # -- what an editor does ---------------------------------------------------------------------------------

    def open(self, path: Path, text: str | None = None) -> str:
        """Open ``path`` (with ``text``, or what is on disk) and wait for its diagnostics; its URI."""
        uri = path.as_uri()
        self.diagnostics.pop(uri, None)
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1,
            "text": path.read_text(encoding="utf-8") if text is None else text}})
        self._until(lambda message: message.get("method") == "textDocument/publishDiagnostics"
                    and message["params"]["uri"] == uri, TIMEOUT, f"diagnostics for {path.name}")
        return uri

    def hover(self, uri: str, line: int, character: int) -> str:
        """The hover's text at a 0-based position, as an editor shows it ("" when there is none)."""
        found = self.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                    "position": {"line": line, "character": character}})
        if not found:
            return ""
        contents = found["contents"]
        return str(contents["value"] if isinstance(contents, dict) else contents)

    def complete(self, uri: str, line: int, character: int) -> list[dict[str, Any]]:
        """The completion items offered at a 0-based position."""
        found = self.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                         "position": {"line": line, "character": character}})
        items = found["items"] if isinstance(found, dict) else found
        return list(items or [])


def _setting(section: str | None) -> Any:
    """The value of a settings section (``yaml.validate``...) as an editor returns it."""
    value: Any = SETTINGS
    for part in (section or "").split("."):
        if not part:
            continue
        value = value.get(part) if isinstance(value, dict) else None
    return value
