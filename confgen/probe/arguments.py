"""The command line of `confgen probe scp` and `confgen probe scu`: their options, and the checks that make a bad
value a usage error (exit 2) before anything is sent. Light to import: `confgen validate` builds this parser too.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def add_probe_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                     reporting: argparse.ArgumentParser) -> None:
    """`probe` and its two roles, under ``commands``; ``reporting`` gives them --format and --strict."""
    probe = commands.add_parser("probe", help="check a profile against the running application, over the network",
                                description="Check a profile's Storage tables against the running application: "
                                            "probe scp sends C-STORE probes to its SCP; probe scu plays the SCP "
                                            "for its SCU.")
    roles = probe.add_subparsers(dest="role", required=True, metavar="ROLE")
    common = argparse.ArgumentParser(add_help=False, parents=[reporting])
    common.add_argument("profile", type=Path, metavar="PROFILE")
    common.add_argument("--report", type=_report_file, metavar="FILE",
                        help="also write a verification report: FILE.html, FILE.pdf or FILE.json (the one "
                             "`build --verified-by` reads); nothing is written without it")
    common.add_argument("--timeout", type=_seconds, default=5.0, metavar="SECONDS",
                        help="how long any one answer is waited for (default: 5)")

    scp = roles.add_parser("scp", parents=[common], help="send the probe set to the SCP a profile describes",
                           description="Send a fixed set of C-STORE probes to the SCP and hold each outcome "
                                       "against the profile's Table N.7-43. Exit 0 when nothing contradicts it.")
    scp.add_argument("--host", required=True, type=_text("--host"), help="the SCP's host name or address")
    scp.add_argument("--port", required=True, type=_port, help="the SCP's port")
    scp.add_argument("--called-ae", type=_ae_title, default="ANY-SCP", metavar="AE",
                     help="the SCP's AE title (default: ANY-SCP)")
    scp.add_argument("--calling-ae", type=_ae_title, default="CONFGEN", metavar="AE",
                     help="confgen's own AE title (default: CONFGEN)")
    scp.add_argument("--sop-class", type=_sop_class, default="1.2.840.10008.5.1.4.1.1.7", metavar="CLASS",
                     help="the SOP Class of the test instances, by keyword or UID: SecondaryCaptureImageStorage "
                          "(the default), CTImageStorage or MRImageStorage")
    scp.add_argument("--read-back", type=_read_back, metavar="HOW",
                     help="check that each instance answered with success is stored: c-find (ask the SCP, Study "
                          "Root at IMAGE level) or dir:PATH (a complete file under PATH)")

    scu = roles.add_parser("scu", parents=[common], help="play the SCP for the SCU a profile describes",
                           description="Listen as a Storage SCP, answer the SCU's first C-STORE with each status of "
                                       "the profile's Table N.7-42 in turn (0000 to the others), and record what the "
                                       "SCU does next.")
    scu.add_argument("--port", required=True, type=_port, help="the port to listen on")
    scu.add_argument("--bind", type=_text("--bind"), default="127.0.0.1", metavar="ADDRESS",
                     help="the address to listen on (default: 127.0.0.1; 0.0.0.0 for an SCU on another machine)")
    scu.add_argument("--ae-title", type=_ae_title, default="CONFGEN", metavar="AE",
                     help="the AE title to answer as (default: CONFGEN)")
    scu.add_argument("--statuses", type=_statuses, metavar="LIST",
                     help="the codes to answer, comma-separated, such as 0000,A700,C000 (default: one for each row "
                          "of the table)")
    scu.add_argument("--command", dest="scu_command", type=_command, metavar="CMD",
                     help="the SCU's command line, which confgen runs once for each status (split as a shell "
                          "would, but not run by one); without it, confgen waits for you to send")
    scu.add_argument("--watch", type=_seconds, default=30.0, metavar="SECONDS",
                     help="how long a silent SCU is watched before the status is done with (default: 30)")
    scu.add_argument("--wait", type=_seconds, default=300.0, metavar="SECONDS",
                     help="without --command: how long to wait for the SCU's first association of each status "
                          "(default: 300)")
    scu.add_argument("--max-watch", type=_seconds, default=600.0, metavar="SECONDS",
                     help="the longest one status is watched, however busy the SCU keeps it, from its first "
                          "association (or the command's start); reaching it is a warning, V612 (default: 600)")


def _text(option: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        if not text.strip() or not text.isprintable():
            raise argparse.ArgumentTypeError(f"{option} needs a value")
        return text.strip()

    return check


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a TCP port (1 to 65535)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds (more than 0, at most 3600)")
    return value


def _ae_title(text: str) -> str:
    # PS3.5 Table 6.2-1, AE: at most 16 characters of the default repertoire, no backslash or control character;
    # spaces around it are not significant, and it is not all spaces.
    if not 0 < len(text) <= 16 or not text.isascii() or not text.isprintable() or "\\" in text or not text.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not an AE title (1 to 16 printable ASCII characters, no "
                                         "backslash)")
    return text.strip()


def _sop_class(text: str) -> str:
    from confgen.probe.instances import SOP_CLASSES, sop_class_uid

    uid = sop_class_uid(text.strip())
    if uid is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a SOP Class confgen can make a valid instance of; give "
                                         f"one of {', '.join(SOP_CLASSES)} (or its UID)")
    return uid


def _read_back(text: str) -> str | Path:
    if text == "c-find":
        return text
    if text.startswith("dir:") and len(text) > 4:
        folder = Path(text[4:])
        if not folder.is_dir():
            raise argparse.ArgumentTypeError(f"'{folder}' is not a folder")
        return folder
    raise argparse.ArgumentTypeError(f"'{text}': give c-find or dir:PATH")


def _report_file(text: str) -> Path:
    from confgen.probe.report import SUFFIXES

    path = Path(text)
    # A link is replaced, whatever it leads to, as a build's outputs are (confgen.output); a folder is refused.
    if path.suffix.lower() not in SUFFIXES or (path.is_dir() and not path.is_symlink()):
        raise argparse.ArgumentTypeError(f"'{text}': the report is a file named .html, .pdf or .json")
    return path


def _statuses(text: str) -> list[int]:
    from confgen.standard import CodeRange

    codes = []
    for part in text.split(","):
        parsed = CodeRange.parse(part)
        if parsed is None or not parsed.is_code:
            raise argparse.ArgumentTypeError(f"'{part.strip()}' is not a status code (four hexadecimal digits)")
        codes.append(parsed.first)
    return codes


def _command(text: str) -> str:
    import shlex

    try:
        words = shlex.split(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"the command cannot be read: {error}") from error
    if not words:
        raise argparse.ArgumentTypeError("the command is empty")
    return text
