"""confgen.records does what dataclasses does for the classes confgen declares: each behavior is checked on a record
and on the same class made by dataclasses, side by side."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
from typing import Any, ClassVar

import pytest

from confgen import records


def declare(make: Any, field: Any, frozen: bool = False, order: bool = False) -> tuple[type, type, type]:
    """The same three classes (fields with a default and a factory, a subclass that adds none, a mutable one), made
    by ``make`` (records.record or dataclasses.dataclass)."""

    @make(frozen=frozen, order=order)
    class Point:
        x: int
        label: str = "p"
        tags: list[str] = field(default_factory=list)

        def moved(self) -> int:
            return self.x + 1

    @make(frozen=frozen, order=order)
    class Named(Point):
        """A subclass with no field of its own, as format.Prose is of format.Text."""

    @make
    class Counter:
        count: int = 0

    return Point, Named, Counter


RECORDS = declare(records.record, records.field, frozen=True, order=True)
DATACLASSES = declare(dataclasses.dataclass, dataclasses.field, frozen=True, order=True)


def both(test: Any) -> Any:
    return pytest.mark.parametrize("classes", [RECORDS, DATACLASSES], ids=["records", "dataclasses"])(test)


@both
def test_init_by_position_name_default_and_factory(classes: tuple[type, type, type]) -> None:
    point, named, _ = classes
    assert (point(1).x, point(1).label, point(1).tags) == (1, "p", [])
    assert point(1).tags is not point(1).tags, "a factory makes a new default each time"
    assert point(2, "q", ["a"]).tags == ["a"]
    assert point(x=3, label="r").label == "r"
    assert named(4).moved() == 5
    for bad in ((), (1, "p", [], "extra")):
        with pytest.raises(TypeError):
            point(*bad)
    with pytest.raises(TypeError):
        point(1, nothing=2)
    with pytest.raises(TypeError):
        point(1, x=2)


@both
def test_repr_eq_hash_and_order(classes: tuple[type, type, type]) -> None:
    point, named, counter = classes
    assert repr(point(1, "a")).endswith("Point(x=1, label='a', tags=[])")
    assert point(1) == point(1)
    assert point(1) != point(2)
    assert point(1) != named(1), "records of different classes are never equal"
    assert point(1) != (1, "p", [])
    assert point(1, "a", ()) in {point(1, "a", ())}, "a frozen record of hashable fields is hashable"
    assert hash(point(1, "a", ())) == hash(point(1, "a", ()))
    assert point(1) < point(2)
    assert sorted([point(2), point(1, "b"), point(1, "a")]) == [point(1, "a"), point(1, "b"), point(2)]
    with pytest.raises(TypeError):
        hash(counter())  # equal by value and changeable: no hash
    item = counter()
    item.count += 1
    assert item == counter(1)


@both
def test_frozen_refuses_assignment(classes: tuple[type, type, type]) -> None:
    point, named, _ = classes
    for item in (point(1), named(1)):
        with pytest.raises(AttributeError):
            item.x = 2
        with pytest.raises(AttributeError):
            del item.x
        assert item.x == 1


def test_frozen_instance_error_is_an_attribute_error() -> None:
    with pytest.raises(records.FrozenInstanceError, match="cannot assign to field 'x'"):
        RECORDS[0](1).x = 2  # type: ignore[misc]


@both
def test_replace_copy_and_pickle(classes: tuple[type, type, type]) -> None:
    point, named, _ = classes
    replace = records.replace if point is RECORDS[0] else dataclasses.replace
    original = named(1, "a", ["t"])
    changed = replace(original, label="b")
    assert (type(changed), changed.x, changed.label, original.label) == (named, 1, "b", "a")
    with pytest.raises(TypeError):
        replace(original, nothing=1)
    assert copy.copy(original) == original
    assert copy.deepcopy(original) == original


def test_records_cross_to_a_worker_process_by_pickle() -> None:
    # Jobs (a profile, its options) go to the rendering workers pickled: a frozen record comes back equal.
    from confgen.diagnostics import Example, Rule, Severity
    from confgen.standard import CodeRange, load_standard

    rule = Rule("X001", Severity.WARNING, "summary", failing=Example("top", "a: 1"), suppressible=True)
    for item in (CodeRange(0xA700, 0xA7FF), rule, load_standard("2024d").services["storage"]):
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            assert pickle.loads(pickle.dumps(item, protocol)) == item


def test_a_method_the_class_defines_is_kept() -> None:
    @records.record(frozen=True)
    class Code:
        value: int

        def __repr__(self) -> str:
            return f"Code {self.value:04X}"

        def __hash__(self) -> int:
            return self.value

    assert repr(Code(0x122)) == "Code 0122"
    assert hash(Code(7)) == 7


def test_validate_imports_neither_dataclasses_nor_inspect() -> None:
    # What the records are for: confgen validate's imports stay few (bench/run.py measures the time).
    code = ("import sys; from confgen.cli import main; main(['validate', sys.argv[1]]); "
            "print(sorted({'dataclasses', 'inspect'} & set(sys.modules)))")
    from conftest import EXAMPLE

    done = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("make", [records.record, dataclasses.dataclass])
def test_a_field_without_a_default_after_one_with_a_default_is_refused_when_the_class_is_made(make: Any) -> None:
    with pytest.raises(TypeError, match="default"):
        @make
        class Wrong:
            first: int = 0
            second: str


def test_a_class_variable_is_refused_rather_than_made_a_field() -> None:
    # dataclasses leaves a ClassVar out of the fields; no record needs one, and this module does not read typing.
    with pytest.raises(TypeError, match="no class variables"):
        @records.record
        class Counted:
            count: ClassVar[int] = 0
