"""Related fields: DICOM command elements (group 0000), resolved through pydicom's data dictionary."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

import pydicom
from pydicom import datadict

from confgen.standard import parse_tag

# Text made of hex digits, commas and parentheses was meant as a tag: "0000,0902", "00000902", or the halves
# YAML makes of an unquoted (0000,0902) in a flow list.
_TAG_LIKE = re.compile(r"[\s()0-9A-Fa-f,xX]*[0-9][\s()0-9A-Fa-f,xX]*")


def dictionary_version() -> str:
    """The version of pydicom, whose data dictionary names the command elements."""
    return pydicom.__version__


def tag_text(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


@dataclass(frozen=True)
class CommandElement:
    tag: int
    keyword: str
    name: str

    @property
    def tag_text(self) -> str:
        return tag_text(self.tag)

    def __str__(self) -> str:
        return f"{self.name} {self.tag_text}"


class NotACommandElement(ValueError):
    """The text names no command element; the message says why, in words for the profile's author."""


@functools.cache
def _command_keywords() -> tuple[str, ...]:
    return tuple(sorted(keyword for keyword, tag in datadict.keyword_dict.items() if tag >> 16 == 0 and keyword))


def element(tag: int) -> CommandElement:
    """The command element for a tag of the standard's own data (known to exist)."""
    return CommandElement(tag, datadict.keyword_for_tag(tag), datadict.dictionary_description(tag))


def resolve(text: str) -> CommandElement:
    """A keyword (``ErrorComment``) or a tag (``(0000,0902)``) -> the command element it names."""
    tag = parse_tag(text)
    if tag is not None:
        if not datadict.dictionary_has_tag(tag):
            raise NotACommandElement(f"{text} is not in pydicom's data dictionary")
    else:
        found = datadict.tag_for_keyword(text.strip())
        if found is None and _TAG_LIKE.fullmatch(text):
            raise NotACommandElement(f"'{text}' is not a keyword or a tag: write a tag as \"(0000,0902)\", in quotes "
                                     "(unquoted, YAML splits it at the comma)")
        if found is None:
            close = difflib.get_close_matches(text.strip(), _command_keywords(), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise NotACommandElement(f"{text!r} is not a DICOM keyword{hint}")
        tag = found
    if tag >> 16 != 0:
        named = f"{text} is {datadict.dictionary_description(tag)}"
        if parse_tag(text) is None:  # a keyword: say which tag it names
            named += f" {tag_text(tag)}"
        raise NotACommandElement(f"{named}, a data element, not a command element (group 0000)")
    return element(tag)
