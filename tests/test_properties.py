"""Property tests: no file makes confgen crash, whatever bytes, text or YAML data it holds.

Each property is conftest.validate_with_each_parser's list. The runs are derandomized, so CI sees the same
examples every time; ``CONFGEN_EXAMPLES=5000 pytest tests/test_properties.py`` soaks with that many examples per
test.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE_TEXT, validate_hostile, validate_with_each_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confgen.format import Keyed, ListOf, OneOf, Spec, profile_format
from confgen.standard import available_editions, load_standard

EXAMPLES = int(os.environ.get("CONFGEN_EXAMPLES", "40"))
hostile = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.data_too_large])


# -- (a) bytes and text --------------------------------------------------------------------------------------------

# Pieces of YAML syntax and of profiles, to put together in any order: files more like YAML than random text is.
TOKENS = (
    "\n", "\n", "  ", "    ", "\t", "\r", "\r\n", "\x85", "\u2028", "\ufeff", "- ", "-", ": ", ":", "? ", ", ",
    "[", "]", "{", "}", "'", '"', "\\", "#", "&a ", "*a", "*b", "&b ", "!!str ", "!!int ", "!!binary ",
    "!!python/object:os.system ", "!x ", "!<tag:x> ", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n",
    "--- ", "|\n", ">-\n", "|-2\n", "<<", "~", "null", "yes", "1", "4.10", "0122", "1e400", ".inf", "2026-11-20",
    "2026-13-45", "é", "中", "😀", "\x00", "\x01", "\uffff", "confgen", "standard", '"2024d"', "document",
    "manufacturer", "product", "product_version", "date", "revisions", "services", "storage", "scu", "scp", "statuses",
    '"0000"', '"A700-A7FF"', "other", "behavior", "condition", "related_fields", "sent", "false", "further_meaning",
    "ErrorComment", '"(0000,0902)"', "TODO", "<x>",
)


@hostile
@given(data=st.binary(max_size=4096))
def test_any_bytes(tmp_path: Path, data: bytes) -> None:
    validate_with_each_parser(tmp_path / "profile.yaml", data)


@hostile
@given(text=st.text(max_size=2048))
def test_any_text(tmp_path: Path, text: str) -> None:
    validate_with_each_parser(tmp_path / "profile.yaml", text.encode())


@hostile
@given(pieces=st.lists(st.sampled_from(TOKENS), max_size=200))
def test_yaml_shaped_text(tmp_path: Path, pieces: list[str]) -> None:
    validate_with_each_parser(tmp_path / "profile.yaml", "".join(pieces).encode())


@hostile
@given(data=st.data())
def test_example_with_text_or_bytes_put_in(tmp_path: Path, data: st.DataObject) -> None:
    example = EXAMPLE_TEXT.encode()
    start = data.draw(st.integers(0, len(example)), label="start")
    end = data.draw(st.integers(start, min(len(example), start + 200)), label="end")
    piece = data.draw(st.binary(max_size=64) | st.lists(st.sampled_from(TOKENS), max_size=20).map(
        lambda pieces: "".join(pieces).encode()), label="piece")
    validate_with_each_parser(tmp_path / "profile.yaml", example[:start] + piece + example[end:])


# -- (b) YAML data: trees dumped as YAML, alone and in place of parts of the example profile --------------------------

STATUS_KEYS = ("0000", "B000", "B007", "B006", "0122", "0112", "0124", "0214", "A700", "A711", "a7a0", "A700-A7FF",
               "A7XX", "0x0122", "A800", "B00E", "0110", "C000", "C000-CFFF", "FFFF", "other", "Other")


def _key_names(spec: Spec) -> list[str]:
    """Every key the profile format declares, at any depth."""
    if isinstance(spec, Keyed):
        return [name for key in spec.keys for name in (key.name, *_key_names(key.value))]
    if isinstance(spec, ListOf):
        return _key_names(spec.item)
    if isinstance(spec, OneOf):
        return [name for option in spec.options for name in _key_names(option)]
    return []


FORMAT_KEYS = tuple(sorted(set(_key_names(profile_format(load_standard(available_editions()[-1]))))))
KEYS = st.sampled_from((*FORMAT_KEYS, "N-CREATE", "Timeout", "<<", *STATUS_KEYS)) | st.text(max_size=12)
ODD_TEXT = st.sampled_from((
    "", " ", "\n", "TODO", "<x>", "[Describe it]", "4.10", "yes", "null", "~", "2026-11-20", "2026-13-45", "0122",
    "\x00", "\ufeff", "\uffff", "\u2028", "\x85", "\r", "\t", "é", "中文", "😀", "\ud800", "x" * 5000, "*a", "&a",
    "!!str", "- a", "a: b", "#", "---", "...", "ErrorComment", "(0000,0902)", "OffendingElement", "2024d",
))
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.dates() | st.binary(max_size=16)
           | ODD_TEXT | st.text(max_size=40))
TREES = st.recursive(SCALARS, lambda children: st.lists(children, max_size=4)
                     | st.dictionaries(KEYS | st.integers() | st.booleans() | st.none(), children, max_size=4),
                     max_leaves=20)
# Entries of the example that the generated data takes the place of: (path of the key, what replaces it).
PLACES = (
    ("confgen",), ("standard",), ("document",), ("document", "product"), ("document", "date"),
    ("document", "revisions"), ("document", "revisions", 0, "revision"), ("document", "revisions", 1, "description"),
    ("services",), ("services", "storage"), ("services", "storage", "scu"), ("services", "storage", "scu", "statuses"),
    ("services", "storage", "scu", "statuses", "0117"), ("services", "storage", "scu", "statuses", "other"),
    ("services", "storage", "scp", "statuses", "B007"), ("services", "storage", "scp", "statuses", "A711"),
    ("services", "storage", "scp", "statuses", "A711", "related_fields"),
)
Dump = Callable[[object], str]


def _entry(path: Sequence[str | int]) -> tuple[yaml.Node, yaml.Node]:
    """The key and value nodes of the example's entry at ``path``."""
    node = yaml.compose(EXAMPLE_TEXT, Loader=yaml.SafeLoader)
    key = node
    for step in path:
        if isinstance(step, int):
            node = node.value[step]
            continue
        key, node = next((k, v) for k, v in node.value if k.value == step)
    return key, node


def splice(path: Sequence[str | int], entries: dict[object, object], dump: Dump) -> str:
    """The example with the entry at ``path`` replaced by ``entries``, dumped in block style at the entry's place."""
    key, value = _entry(path)
    start, end = key.start_mark.index, value.end_mark.index
    dumped = dump(entries).splitlines(keepends=True)
    block = dumped[0] + "".join(" " * key.start_mark.column + line for line in dumped[1:])
    line_start = EXAMPLE_TEXT.rfind("\n", 0, end) + 1
    if EXAMPLE_TEXT[line_start:end].strip():  # the value ends inside its line: replace up to the line's end
        end = EXAMPLE_TEXT.find("\n", end)
        block = block.removesuffix("\n")
    else:  # the value ends where the next line's content starts
        end = line_start
    return EXAMPLE_TEXT[:start] + block + EXAMPLE_TEXT[end:]


def _dumps(allow_unicode: bool, flow: bool | None, width: int) -> Dump:
    """yaml.safe_dump with these options, except that a mapping at the top is always in block style."""

    def dump(data: object) -> str:
        node = yaml.SafeDumper(io.StringIO(), default_flow_style=flow, sort_keys=False).represent_data(data)
        if isinstance(node, yaml.MappingNode):
            node.flow_style = False
        return yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=allow_unicode, width=width)

    return dump


DUMPS = st.builds(_dumps, st.booleans(), st.sampled_from((False, None)), st.sampled_from((20, 80, 10_000)))


@pytest.mark.parametrize("path", PLACES, ids=lambda path: ".".join(map(str, path)))
def test_splicing_the_examples_own_data_gives_it_back(tmp_path: Path, path: Sequence[str | int]) -> None:
    """The splice puts data where the entry was: spliced with what the example holds there, it validates clean."""
    key, _ = _entry(path)
    example = yaml.safe_load(EXAMPLE_TEXT)
    parent = example
    for step in path[:-1]:
        parent = parent[step]
    for dump in (_dumps(True, False, 80), _dumps(False, None, 20)):
        text = splice(path, {key.value: parent[path[-1]]}, dump)
        assert validate_hostile(tmp_path / "profile.yaml", text.encode()).code == 0, text
        changed = yaml.safe_load(splice(path, {key.value: ["changed"]}, dump))
        kept = parent[path[-1]]
        parent[path[-1]] = ["changed"]
        assert changed == example, text
        parent[path[-1]] = kept


@hostile
@given(tree=TREES, dump=DUMPS)
def test_any_yaml_data(tmp_path: Path, tree: object, dump: Dump) -> None:
    validate_with_each_parser(tmp_path / "profile.yaml", dump(tree).encode("utf-8", errors="surrogatepass"))


@hostile
@given(data=st.data(), dump=DUMPS)
def test_yaml_data_in_place_of_part_of_the_example(tmp_path: Path, data: st.DataObject,
                                                   dump: Dump) -> None:
    path = data.draw(st.sampled_from(PLACES), label="place")
    key, _ = _entry(path)
    # The entry's value replaced, or the entry replaced by entries with other keys.
    entries = data.draw(TREES.map(lambda tree: {key.value: tree})
                        | st.dictionaries(KEYS, TREES, min_size=1, max_size=3), label="entries")
    text = splice(path, entries, dump)
    validate_with_each_parser(tmp_path / "profile.yaml", text.encode("utf-8", errors="surrogatepass"))
