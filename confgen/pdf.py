"""PDF: the rendered HTML laid out by WeasyPrint. Import this module only to make a PDF: WeasyPrint is slow
to import, and validation never needs it (confgen.build imports this module when it renders)."""

from __future__ import annotations

import calendar
import datetime
import os
from collections.abc import Iterator
from contextlib import contextmanager

import weasyprint


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


def html_to_pdf(html: str, date: str) -> bytes:
    """The PDF of ``html``; ``date`` (ISO 8601) stands in for the clock wherever a date is stamped."""
    # A statement is self-contained: nothing is fetched, from the network or from disk.
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    with _source_date_epoch(date):
        pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf
