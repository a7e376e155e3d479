"""PDF: the rendered HTML laid out by WeasyPrint. Import this module only to make a PDF: WeasyPrint is slow
to import, and validation never needs it (confgen.build imports this module when it renders)."""

from __future__ import annotations

import calendar
import datetime
import hashlib
import logging
import mimetypes
import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
import weasyprint.urls

from confgen import fonts
from confgen.files import read_regular, reason
from confgen.records import record

# WeasyPrint says so when it subsets fonts with fontTools because libharfbuzz-subset0 is missing: a fact about
# the machine, not about the statement, whose PDF is complete either way (README, "Faster PDFs").
MACHINE_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)
MACHINE_WARNINGS = ("HarfBuzz-Subset will be required",)  # the same, as a DeprecationWarning
FETCH_LIMIT = 64 * 1024 * 1024  # bytes of one file a stylesheet refers to (an image, a font)


@record(frozen=True)
class Pdf:
    data: bytes
    problems: list[str]  # what WeasyPrint logged, or Python warned, while rendering: the PDF is not as designed
    # As the build record keeps them (confgen.record): the files WeasyPrint read, and the font setup.
    served: dict[str, str]
    fonts: dict[str, str]


class ConfinedFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
    """Serves ``data:`` URLs and the regular files inside ``roots`` (folders or single files); refuses
    everything else. Remembers each file it served, with the hash of the bytes it served.

    A refusal is logged by WeasyPrint like any missing resource, and so becomes a diagnostic: the build fails
    instead of printing a statement without its stylesheet or images, or with someone else's file in it. (The
    logo needs no file: it is in the HTML as a data: URL.)
    """

    def __init__(self, roots: Sequence[Path]) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.served: dict[str, str] = {}  # path -> "sha256:<hex>"

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            # Resolving first takes '..' and symbolic links out of play: what is checked is what is read.
            path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
            if any(path == root or path.is_relative_to(root) for root in self.roots):
                try:
                    data = read_regular(path, FETCH_LIMIT, follow_links=False)
                except OSError as error:
                    raise ValueError(f"refused: {url}: {reason(error)}") from error
                if len(data) > FETCH_LIMIT:
                    raise ValueError(f"refused: {url} is larger than {FETCH_LIMIT // (1024 * 1024)} MiB")
                self.served[str(path)] = f"sha256:{hashlib.sha256(data).hexdigest()}"
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return weasyprint.urls.URLFetcherResponse(path.as_uri(), data, {"Content-Type": media_type})
        raise ValueError(f"refused: a statement may use only the files of its template folders, not {url}")


@contextmanager
def _weasyprint_problems() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs at warning level or above while the block runs."""
    problems: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if not message.startswith(MACHINE_NOTICES):
                problems.append(message)

    logger = logging.getLogger("weasyprint")
    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield problems
    finally:
        logger.removeHandler(handler)


@contextmanager
def _source_date_epoch(date: str) -> Iterator[None]:
    # When WeasyPrint subsets fonts with fontTools, fontTools stamps the subset with the current time unless
    # SOURCE_DATE_EPOCH is set. The document's own date keeps two builds byte-identical; a value the user set
    # is left alone. fontTools counts from 1904 and cannot store earlier times, so a date before 1970 (which
    # no statement has) stamps 1970.
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    day = datetime.date.fromisoformat(date)
    os.environ["SOURCE_DATE_EPOCH"] = str(max(0, calendar.timegm(day.timetuple())))
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def html_to_pdf(html: str, print_css: str, *, date: str, variant: str | None, base: Path,
                roots: Sequence[Path]) -> Pdf:
    """The PDF of ``html`` laid out with ``print_css``, tagged, in the PDF ``variant`` (None: plain PDF).

    ``date`` (ISO 8601) stands in for the clock wherever a date is stamped; relative URLs resolve in the folder
    ``base``; only files inside ``roots`` are read.
    """
    base_url = base.resolve().as_uri() + "/"
    fetcher = ConfinedFetcher(roots)
    with _weasyprint_problems() as problems, _source_date_epoch(date), warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        stylesheet = weasyprint.CSS(string=print_css, base_url=base_url, url_fetcher=fetcher)
        options = {"stylesheets": [stylesheet], "pdf_variant": variant, "pdf_tags": True}
        # What HTML.write_pdf does, in two steps, to keep the laid-out document: its fonts are inputs too.
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)
        pdf: bytes = document.write_pdf(**options)
    # Python warnings raised while rendering (Pillow's about an image, for one) are problems too.
    problems += [f"{w.category.__name__}: {w.message}" for w in warned
                 if not str(w.message).startswith(MACHINE_WARNINGS) and not issubclass(w.category, ResourceWarning)]
    return Pdf(pdf, problems, fetcher.served, fonts.font_setup(document))
