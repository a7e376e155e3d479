"""Records: classes of named fields, declared as dataclasses are, and made without compiling code.

``dataclasses`` writes each class's ``__init__``, ``__repr__``, ``__eq__`` (and, for a frozen class,
``__setattr__``, ``__delattr__`` and ``__hash__``) as Python source and compiles it when the class is made: half a
millisecond a class, and importing it imports ``inspect``. The modules ``confgen validate`` and ``confgen build``
load hold dozens of such classes, which cost about 35 ms of every run, more than the validation itself (see
bench/run.py). A record is declared the same way, with annotations, defaults and ``field(default_factory=...)``,
and type checkers treat it as a dataclass (``dataclass_transform``); its methods are the functions below, shared
by every record, which read the field names from the class.

What a record does, as a dataclass does: ``__init__`` takes the fields in order, by position or name, with their
defaults; ``__repr__`` names them; ``__eq__`` compares records of the same class field by field; ``order=True``
compares them as tuples; ``frozen=True`` refuses assignment (``FrozenInstanceError``) and hashes the fields, and a
record that is not frozen cannot be hashed. A method the class defines itself is kept. ``confgen.probe``, which
loads pynetdicom and is slow to start anyway, keeps ``dataclasses``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a frozen record."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], _T]) -> _T:
    """A field whose default is made anew for each record (a list, a dict), as ``dataclasses.field`` does."""
    return _Factory(default_factory)  # type: ignore[return-value]


@overload
def record(cls: type[_T], /) -> type[_T]: ...


@overload
def record(*, frozen: bool = False, order: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[_T] | None = None, /, *, frozen: bool = False,
           order: bool = False) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """Make ``cls`` a record of the fields its annotations declare (those of the records it derives from first)."""

    def make(cls: type[_T]) -> type[_T]:
        names: list[str] = []
        defaults: dict[str, Any] = {}
        factories: dict[str, Callable[[], Any]] = {}
        for base in reversed(cls.__mro__[1:]):
            names += [name for name in base.__dict__.get("_record_fields", ()) if name not in names]
            defaults |= base.__dict__.get("_record_defaults", {})
            factories |= base.__dict__.get("_record_factories", {})
        # The class's own annotations (not its bases'), read without inspect, which this module avoids importing.
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if "ClassVar" in str(annotation):  # dataclasses leave these out; a record has no use for them
                raise TypeError(f"{cls.__qualname__}.{name}: a record has no class variables")
            if name not in names:
                names.append(name)
            value = cls.__dict__.get(name, _NO_DEFAULT)
            if isinstance(value, _Factory):
                factories[name] = value.make
                defaults.pop(name, None)
                delattr(cls, name)
            elif value is not _NO_DEFAULT:
                defaults[name] = value
                factories.pop(name, None)
        # As dataclasses refuse it: a field without a default after one with a default could never be left out.
        optional = [name for name in names if name in defaults or name in factories]
        if optional and any(name not in optional for name in names[names.index(optional[0]):]):
            raise TypeError(f"{cls.__qualname__}: a field without a default follows one with a default")
        cls._record_fields = tuple(names)  # type: ignore[attr-defined]
        cls._record_defaults = defaults  # type: ignore[attr-defined]
        cls._record_factories = factories  # type: ignore[attr-defined]
        methods: dict[str, Any] = {"__init__": _init, "__repr__": _repr, "__eq__": _eq}
        if order:
            methods |= {"__lt__": _lt, "__le__": _le, "__gt__": _gt, "__ge__": _ge}
        if frozen:
            methods |= {"__setattr__": _refuse_set, "__delattr__": _refuse_delete}
        for name, method in methods.items():
            if name not in cls.__dict__:
                setattr(cls, name, method)
        if "__hash__" not in cls.__dict__:
            # Equal by value: hashed by value when frozen, and not hashable when it can change (as dataclasses).
            cls.__hash__ = _hash if frozen else None  # type: ignore[assignment]
        return cls

    return make if cls is None else make(cls)


def replace(item: _T, /, **changes: Any) -> _T:
    """A copy of the record ``item`` with the fields ``changes`` names changed, as ``dataclasses.replace`` does."""
    values = {name: item.__dict__[name] for name in type(item)._record_fields}  # type: ignore[attr-defined]
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(item).__qualname__} has no field {sorted(unknown)[0]!r}")
    return type(item)(**(values | changes))


_NO_DEFAULT = object()


def _values(item: Any) -> tuple[Any, ...]:
    return tuple(item.__dict__[name] for name in type(item)._record_fields)


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    names: tuple[str, ...] = cls._record_fields
    if len(args) == len(names) and not kwargs:  # every field given in order: the common case, made quick
        self.__dict__.update(zip(names, args, strict=True))
        return
    if len(args) > len(names):
        raise TypeError(f"{cls.__qualname__}() takes {len(names)} fields, but {len(args)} were given")
    values = dict(zip(names, args, strict=False))
    for name in names[len(args):]:
        if name in kwargs:
            values[name] = kwargs.pop(name)
        elif name in cls._record_defaults:
            values[name] = cls._record_defaults[name]
        elif name in cls._record_factories:
            values[name] = cls._record_factories[name]()
        else:
            raise TypeError(f"{cls.__qualname__}() is missing the field {name!r}")
    if kwargs:
        raise TypeError(f"{cls.__qualname__}() got an unexpected or repeated field {next(iter(kwargs))!r}")
    self.__dict__.update(values)  # past a frozen record's __setattr__


def _repr(self: Any) -> str:
    fields = ", ".join(f"{name}={value!r}" for name, value in zip(type(self)._record_fields, _values(self),
                                                                   strict=True))
    return f"{type(self).__qualname__}({fields})"


# The comparisons answer NotImplemented for a record of another class, as dataclasses' do: hence Any.
def _eq(self: Any, other: object) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _lt(self: Any, other: object) -> Any:
    return _values(self) < _values(other) if other.__class__ is self.__class__ else NotImplemented


def _le(self: Any, other: object) -> Any:
    return _values(self) <= _values(other) if other.__class__ is self.__class__ else NotImplemented


def _gt(self: Any, other: object) -> Any:
    return _values(self) > _values(other) if other.__class__ is self.__class__ else NotImplemented


def _ge(self: Any, other: object) -> Any:
    return _values(self) >= _values(other) if other.__class__ is self.__class__ else NotImplemented


def _hash(self: Any) -> int:
    return hash(_values(self))


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r} of a frozen {type(self).__qualname__}")


def _refuse_delete(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r} of a frozen {type(self).__qualname__}")
