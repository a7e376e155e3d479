"""Related fields: DICOM command elements (group 0000), resolved through pydicom's data dictionary, and the
message parameters the standard names without a tag (Identifier)."""

from __future__ import annotations

import difflib
import functools
import importlib.util
import re

from confgen.records import record
from confgen.resources import distribution_version, package_dir
from confgen.standard import parse_tag

# Text made of hex digits, commas and parentheses was meant as a tag: "0000,0902", "00000902", or the halves
# YAML makes of an unquoted (0000,0902) in a flow list.
_TAG_LIKE = re.compile(r"[\s()0-9A-Fa-f,xX]*[0-9][\s()0-9A-Fa-f,xX]*")


Entry = tuple[str, str, str, str, str]  # pydicom's: VR, VM, name, "Retired" or "", keyword


@functools.cache
def _entries() -> dict[int, Entry]:
    """pydicom's data dictionary, by tag.

    Importing the pydicom package costs about 0.1 s (it loads its pixel-data machinery), several times what
    the rest of ``confgen validate`` costs. The dictionary itself is a plain module of data, so it is read
    from pydicom's installed files without running the package's ``__init__``; if pydicom ever moves it, the
    public import is used instead. A test holds the two equal.
    """
    try:
        module_file = package_dir("pydicom") / "_dicom_dict.py"
        spec = importlib.util.spec_from_file_location("confgen._pydicom_dict", module_file)
        if spec is None or spec.loader is None:
            raise ImportError("no _dicom_dict module")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        entries: dict[int, Entry] = module.DicomDictionary
    except (ImportError, OSError, AttributeError, SyntaxError):
        from pydicom.datadict import get_entry, keyword_dict

        entries = {tag: get_entry(tag) for tag in keyword_dict.values()}
    return entries


@functools.cache
def _by_keyword() -> dict[str, int]:
    return {entry[4]: tag for tag, entry in _entries().items() if entry[4]}


# An entry of pydicom's data module as it writes them, one a line, in tag order:
#     0x00000902: ('LO', '1', "Error Comment", '', 'ErrorComment'),
_ENTRY = re.compile(rb"\n    0x([0-9A-F]{8}): \('([^'\n]*)', '([^'\n]*)', \"([^\"\n]*)\", '([^'\n]*)', '([^'\n]*)'\),")
_HEAD = 64 * 1024  # bytes: group 0000 comes first, in well under this


@functools.cache
def _commands() -> dict[int, Entry]:
    """The command elements (group 0000) of pydicom's data dictionary, by tag.

    They are what related fields name, and they are the first entries of pydicom's data module, which lists
    every tag in order: they are read from its first lines, about a hundredth of the time that loading the
    whole dictionary takes (which only a field that is no command element needs, for its message). Where the
    module does not look as expected (an entry written otherwise, no entry after group 0000 in its first part),
    the whole dictionary is loaded. A test holds this equal to pydicom's own.
    """
    try:
        with (package_dir("pydicom") / "_dicom_dict.py").open("rb") as stream:
            head = stream.read(_HEAD)
    except (ImportError, OSError):
        head = b""
    entries: dict[int, Entry] = {}
    past_the_group = False
    for match in _ENTRY.finditer(head):
        tag = int(match[1], 16)
        if tag >> 16:
            past_the_group = True
            break
        vr, vm, name, retired, keyword = (part.decode("utf-8") for part in match.groups()[1:])
        entries[tag] = (vr, vm, name, retired, keyword)
    if past_the_group and entries and head.count(b"\n    0x0000") == len(entries):
        return entries
    return {tag: entry for tag, entry in _entries().items() if tag >> 16 == 0}


@functools.cache
def _command_by_keyword() -> dict[str, int]:
    return {entry[4]: tag for tag, entry in _commands().items() if entry[4]}


def dictionary_version() -> str:
    """The version of pydicom, whose data dictionary names the command elements."""
    return distribution_version("pydicom")


def tag_text(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


@record(frozen=True)
class CommandElement:
    tag: int
    keyword: str
    name: str

    @property
    def tag_text(self) -> str:
        return tag_text(self.tag)

    @property
    def ref(self) -> int:
        """How the standard's data names this field: by its tag."""
        return self.tag

    def __str__(self) -> str:
        return f"{self.name} {self.tag_text}"


@record(frozen=True)
class NamedField:
    """A related field that is a parameter of the message, not a command element: the standard names it (the
    Identifier of a C-FIND response) and it has no tag."""

    name: str
    tag_text = ""

    @property
    def ref(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


RelatedField = CommandElement | NamedField


class NotACommandElement(ValueError):
    """The text names no command element; the message says why, in words for the profile's author."""


@functools.cache
def _command_keywords() -> tuple[str, ...]:
    return tuple(sorted(_command_by_keyword()))


def command_elements() -> tuple[CommandElement, ...]:
    """The command elements (group 0000) pydicom's dictionary lists as current (not retired), by keyword: what an
    editor offers as related fields. The retired ones are still read (``resolve``)."""
    return tuple(element(_command_by_keyword()[keyword]) for keyword in _command_keywords()
                 if _commands()[_command_by_keyword()[keyword]][3] != "Retired")


def element(tag: int) -> CommandElement:
    """The command element for a tag of the standard's own data (known to exist)."""
    entry = _commands()[tag]
    return CommandElement(tag, entry[4], entry[2])


def field(ref: int | str) -> RelatedField:
    """The related field the standard's data names by ``ref``: a tag, or the name of a parameter."""
    return NamedField(ref) if isinstance(ref, str) else element(ref)


def resolve(text: str, named: tuple[str, ...] = ()) -> RelatedField:
    """A keyword (``ErrorComment``), a tag (``(0000,0902)``) or a parameter of ``named`` (``Identifier``, in any
    case) -> the related field it names."""
    name = next((candidate for candidate in named if candidate.casefold() == " ".join(text.split()).casefold()), None)
    if name is not None:
        return NamedField(name)
    tag = parse_tag(text)
    if tag is not None:
        if tag not in (_commands() if tag >> 16 == 0 else _entries()):
            raise NotACommandElement(f"{text} is not in pydicom's data dictionary")
    else:
        found = _command_by_keyword().get(text.strip())
        if found is None:  # no command element: the whole dictionary says what it is, if anything
            found = _by_keyword().get(text.strip())
        if found is None and _TAG_LIKE.fullmatch(text):
            # Only half a tag ("(0000" or "0902)") is what YAML makes of an unquoted (0000,0902) in a flow list.
            half = text.count("(") != text.count(")")
            why = " (unquoted in [ ], YAML splits it at the comma)" if half else ""
            raise NotACommandElement(f"'{text}' is not a keyword or a tag: write a tag as \"(0000,0902)\", with its "
                                     f"parentheses and in quotes{why}")
        if found is None:
            close = difflib.get_close_matches(text.strip(), (*_command_keywords(), *named), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise NotACommandElement(f"{text!r} is not a DICOM keyword{hint}")
        tag = found
    if tag >> 16 != 0:
        what = f"{text} is {_entries()[tag][2]}"
        if parse_tag(text) is None:  # a keyword: say which tag it names
            what += f" {tag_text(tag)}"
        raise NotACommandElement(f"{what}, a data element, not a command element (group 0000)")
    return element(tag)
