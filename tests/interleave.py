"""Run ``confgen`` with a hook that forces one interleaving with another process or with a signal, for the tests
of concurrent builds and interruptions (test_concurrent.py).

    python tests/interleave.py HOOK SIGNALS_FOLDER confgen-arguments...

The hooks wrap what every version of confgen does (a staged file written, a rename, a future's result, the
interpreter's shutdown), so that a test runs the same interleaving on the code before and after a fix. A hook
that pauses touches SIGNALS_FOLDER/paused, then waits for SIGNALS_FOLDER/go (at most a minute).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

HOOK, SIGNALS = sys.argv[1], Path(sys.argv[2])


def pause() -> None:
    (SIGNALS / "paused").touch()
    deadline = time.monotonic() + 60
    while not (SIGNALS / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("interleave: never told to go on")
        time.sleep(0.01)


def main() -> int:
    from confgen import output
    from confgen.cli import main as confgen

    if HOOK == "pause-after-staging":
        # Every output written and flushed, none renamed yet.
        stage = output._stage

        def staged(path: Path, *rest: Any) -> Any:
            result = stage(path, *rest)
            if path.suffix == ".pdf":
                pause()
            return result

        output._stage = staged  # type: ignore[assignment]
    elif HOOK == "pause-results":
        # The worker processes go on; this process waits before it takes in their first result.
        from concurrent.futures import Future

        result = Future.result
        paused = []

        def first_result(self: Future[Any], timeout: float | None = None) -> Any:
            if not paused:
                paused.append(True)
                pause()
            return result(self, timeout)

        Future.result = first_result  # type: ignore[method-assign]
    elif HOOK == "sigterm-after-mkstemp":
        # SIGTERM (a CI runner stopping the build) in the instant after a staged file is made.
        import tempfile

        mkstemp = tempfile.mkstemp

        def made(*args: Any, **kwargs: Any) -> Any:
            made_file = mkstemp(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGTERM)
            return made_file

        tempfile.mkstemp = made  # type: ignore[assignment]
    elif HOOK == "ctrl-c-twice":
        # Ctrl-C while the outputs are written, and again while the interpreter shuts down.
        import threading

        stage = output._stage

        def interrupted(*args: Any) -> Any:
            os.kill(os.getpid(), signal.SIGINT)
            return stage(*args)

        output._stage = interrupted  # type: ignore[assignment]
        shutdown = threading._shutdown  # type: ignore[attr-defined]

        def interrupted_shutdown() -> None:
            os.kill(os.getpid(), signal.SIGINT)
            shutdown()

        threading._shutdown = interrupted_shutdown  # type: ignore[attr-defined]
    else:
        raise SystemExit(f"interleave: no hook {HOOK}")
    return confgen(sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
