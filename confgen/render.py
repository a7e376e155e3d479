"""Render: the completed statement as one self-contained HTML file, through the packaged Jinja templates or a
vendor's replacements of them.

Profile text reaches the templates only as values, so it is HTML-escaped and never evaluated as a template.
Templates run in Jinja's sandbox: a vendor's templates folder is reviewed like code, and the sandbox is the
second fence (no Python internals, no file, nothing changed). A template is read only when asked for by its
name (the packaged names, and what those include), and only as a regular file inside its folder.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from confgen.files import read_regular, reason
from confgen.records import field, record
from confgen.resources import templates_dir
from confgen.statement import Statement

ENTRY_TEMPLATE = "statement.html.j2"
PRINT_STYLESHEET = "print.css.j2"  # paged media, for the PDF only
TEMPLATE_LIMIT = 1024 * 1024  # bytes: the packaged templates together are under 20 kB


@record(frozen=True)
class Rendered:
    html: str
    print_css: str
    # Every place a template was looked for: its path -> "sha256:<hex>" of the bytes used, or "absent".
    used: dict[str, str] = field(default_factory=dict)


class RenderError(Exception):
    """A template failed: missing, malformed, refused, or using a value the statement does not have."""


# A token this long is an identifier, a path or a URL rather than a word: it may need to wrap inside a narrow
# column. Where it does, after its punctuation (and before an opening bracket) reads better than anywhere.
_LONG_TOKEN = re.compile(r"\S{16,}")
_PUNCTUATION = r"/\\.,;:=&?_\-\])}>|@"
_BREAK = re.compile(rf"(?<=[{_PUNCTUATION}])(?=[^{_PUNCTUATION}])|(?<=[^\[({{<])(?=[\[({{<])")
_WBR = Markup("<wbr>")


def breakable(text: str) -> Markup:
    """``text`` escaped, with a line-break opportunity (``<wbr>``) at the punctuation of each long token."""
    pieces = []
    start = 0
    for token in _LONG_TOKEN.finditer(text):
        pieces.append(escape(text[start:token.start()]))
        pieces.append(_WBR.join(escape(part) for part in _BREAK.split(token.group())))
        start = token.end()
    pieces.append(escape(text[start:]))
    return Markup("").join(pieces)


class TemplateFileError(jinja2.TemplateError):
    """A template file that cannot be used: ``name`` is the template, the message says why."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class ConfinedLoader(jinja2.BaseLoader):
    """Loads a template by name from the first of ``folders`` that has it: a regular file inside that folder
    (a symbolic link may not lead out of it), of at most TEMPLATE_LIMIT bytes, in UTF-8. Remembers every place
    it looked, and what it found there, by its absolute path in the folder's real path: the build record checks
    it again from whatever folder the next build runs in, and through whatever link it names the folder by."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.used: dict[str, str] = {}

    def where(self, folder: Path, pieces: list[str]) -> str:
        """How ``used`` names the place of a template (split by ``split_template_path``) in ``folder``."""
        return str(Path(os.path.realpath(folder)).joinpath(*pieces))

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses '..'
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                self.used[self.where(folder, pieces)] = "absent"
                continue
            data = self._read(template, folder, path)
            self.used[self.where(folder, pieces)] = f"sha256:{hashlib.sha256(data).hexdigest()}"
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                raise TemplateFileError(template, f"UnicodeDecodeError: {error}") from error
            return text, str(path), lambda: True
        raise jinja2.TemplateNotFound(template)

    @staticmethod
    def _read(template: str, folder: Path, path: Path) -> bytes:
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(os.path.realpath(folder)):
            raise TemplateFileError(template, f"{path} is a symbolic link that leads out of its folder {folder}")
        try:
            data = read_regular(real, TEMPLATE_LIMIT, follow_links=False)
        except OSError as error:
            raise TemplateFileError(template, f"{path} cannot be read: {reason(error)}") from error
        if len(data) > TEMPLATE_LIMIT:
            raise TemplateFileError(template, f"{path} is larger than {TEMPLATE_LIMIT // 1024} KiB")
        return data


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no attribute that starts with '_', no change to a list or dict), and no path: a path's
    methods read, write and delete files."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, os.PathLike) or isinstance(value, os.PathLike):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))


class _Compiled(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates in a folder, where failing to read or write it only means compiling.

    Jinja keys an entry by the template's name and path, checks its source's hash, and stamps it with its own and
    Python's versions, but not with the options of the environment that compiled it: the same source compiles to
    other code under other options (``trim_blocks``, ``autoescape``). ``options`` says what they were, and a
    version of confgen that changes them does not run what another compiled."""

    def __init__(self, directory: str, options: str) -> None:
        super().__init__(directory)
        self.options = options

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = super().get_cache_key(name, filename)
        return hashlib.sha256(f"{self.options}|{key}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        # Compiled code is run: an entry is used only when it is a regular file of this user's, closed to others,
        # however its folder was reached (the folder was checked once, and a folder above it may be another's).
        try:
            descriptor = os.open(self._get_cache_filename(bucket), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return
        with os.fdopen(descriptor, "rb") as stream:
            if not _private(os.fstat(descriptor), stat.S_ISREG):
                return
            try:
                bucket.load_bytecode(stream)
            except Exception:  # cut short or not Jinja's (pickle's, marshal's, EOF): compiled again, and replaced
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a full disk, a folder made read-only: the next build compiles again
            super().dump_bytecode(bucket)


def _private(found: os.stat_result, is_kind: Callable[[int], bool]) -> bool:
    """Whether ``found`` is of the kind asked for, this user's, and closed to every other user."""
    owner = getattr(os, "getuid", lambda: found.st_uid)()
    return is_kind(found.st_mode) and found.st_uid == owner and not stat.S_IMODE(found.st_mode) & 0o077


# How the statement's templates are compiled, beyond the loader and the cache (see environment()).
_OPTIONS: dict[str, Any] = {
    "autoescape": True,
    "undefined": jinja2.StrictUndefined,  # a template bug fails the build instead of leaving an empty cell
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


@functools.cache
def compiled_templates() -> jinja2.BytecodeCache | None:
    """The templates as Jinja compiled them, kept between builds in the user's cache folder
    ($XDG_CACHE_HOME/confgen/templates, by default ~/.cache/confgen/templates): compiling the packaged templates
    takes longer than rendering them.

    Each entry is kept by the template's name, its file's path and the options it was compiled with, and holds a
    hash of its source and Jinja's and Python's versions, so a template changed, or replaced by --templates, is
    compiled anew; the loader reads
    every template as before (the record hashes what it read). Compiled code is run, so the folder must be the
    user's own and closed to others (as Jinja's own default folder must); otherwise, or where there is no
    such folder and none can be made, nothing is kept.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME", ""))
    try:
        if not base.is_absolute():
            base = Path.home() / ".cache"
        if not base.is_absolute():  # HOME=. would put it among the profiles
            return None
        folder = base / "confgen" / "templates"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = folder.lstat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    if not _private(found, stat.S_ISDIR):
        return None
    options = sorted((name, getattr(value, "__name__", value)) for name, value in _OPTIONS.items())
    return _Compiled(str(folder), f"{_Sandbox.__name__} {options}")


def environment(override: Path | None = None) -> tuple[jinja2.Environment, ConfinedLoader]:
    """Templates from ``override`` first, when given, then the packaged ones: a vendor replaces only the files
    it wants to change."""
    loader = ConfinedLoader([templates_dir()] if override is None else [override, templates_dir()])
    templates = _Sandbox(
        loader=loader,
        bytecode_cache=compiled_templates(),
        **_OPTIONS,
    )
    templates.filters["breakable"] = breakable
    templates.globals["overridden"] = Overrides(loader, override)
    return templates, loader


class Overrides:
    """The services a vendor renders its own way: ``"services/<key>.html.j2" in overridden`` is whether its
    folder has that file (none is packaged). Each answer is recorded as the loader records a template: the file
    that is there is read (and hashed) when the statement includes it, and the absence of one is recorded here,
    so that an override added after a build is noticed by the next."""

    def __init__(self, loader: ConfinedLoader, folder: Path | None) -> None:
        self._loader = loader
        self._folder = folder

    def __contains__(self, name: object) -> bool:
        if self._folder is None or not isinstance(name, str):
            return False
        try:
            pieces = split_template_path(name)
        except jinja2.TemplateNotFound:
            return False
        if len(pieces) != 2 or pieces[0] != "services" or not pieces[1].endswith(".html.j2"):
            return False
        if os.path.lexists(self._folder.joinpath(*pieces)):
            return True
        self._loader.used[self._loader.where(self._folder, pieces)] = "absent"
        return False


def render(statement: Statement, override: Path | None = None) -> Rendered:
    """The statement's HTML, and the stylesheet that lays it out on pages."""
    templates, loader = environment(override)
    html = _render(templates, ENTRY_TEMPLATE, statement)
    return Rendered(html, _render(templates, PRINT_STYLESHEET, statement), dict(sorted(loader.used.items())))


def _render(templates: jinja2.Environment, name: str, statement: Statement) -> str:
    try:
        return templates.get_template(name).render(statement=statement)
    # A vendor's template can fail in any way Python can (not UTF-8, an include of itself, 1/0, the sandbox's
    # refusal): each is reported, never raised, and named by the template and line it happened at.
    except Exception as error:
        where = error.name if isinstance(error, TemplateFileError) else _template_line(error) or name
        reason = error.message if isinstance(error, jinja2.TemplateError) and error.message else \
            f"{type(error).__name__}: {error}"
        raise RenderError(f"{where}: {reason}") from error


def _template_line(error: Exception) -> str | None:
    """template:line where ``error`` happened: Jinja gives it for syntax errors and puts template frames in the
    traceback of the others."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.name:
        return f"{error.name}:{error.lineno}"
    import traceback  # only a failed template needs it (2 ms of every build otherwise)

    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.endswith(".j2")]
    if frames:
        return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"
    return None
