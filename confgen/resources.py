"""Where the files that ship with confgen are: the standard's data, the templates, the example profile, the schema.

The standard's data lives inside the package. The templates and the example profile live at the top of the
repository (``templates/``, ``profiles/``); a wheel carries them inside the package (see pyproject.toml), so
an installed confgen looks there first and a checkout falls back to the repository's folders.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STANDARD_DIR = PACKAGE_DIR / "standard"
EXAMPLE_PROFILE_NAME = "acme-ct.yaml"
SCHEMA_PATH = PACKAGE_DIR / "profile.schema.json"


def _shipped_dir(name: str) -> Path:
    installed = PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / name


def templates_dir() -> Path:
    """The packaged Jinja templates and stylesheet."""
    return _shipped_dir("templates")


def example_profile() -> Path:
    """The bundled example profile that ``confgen build`` builds when given no profile."""
    return _shipped_dir("profiles") / EXAMPLE_PROFILE_NAME


def schema_path() -> Path:
    """The JSON Schema of the profile format, as shipped (what ``confgen schema`` prints; a test keeps them equal)."""
    return SCHEMA_PATH


@functools.cache
def package_dir(name: str) -> Path:
    """The folder of the installed package ``name``, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def distribution_version(package: str, distribution: str | None = None) -> str:
    """The installed version of ``distribution`` (by default named as its package), which provides the top-level
    package ``package``, without importing it (WeasyPrint takes half a second to import; importlib.metadata alone
    costs more than validating).

    Installers name a distribution's metadata folder <name>-<version>.dist-info, beside the package.
    """
    prefix = f"{(distribution or package).lower()}-"
    found = [entry.name for entry in os.scandir(package_dir(package).parent)
             if entry.name.lower().startswith(prefix) and entry.name.endswith(".dist-info")]
    if len(found) == 1:
        return found[0][len(prefix):-len(".dist-info")]
    from importlib.metadata import version

    return version(distribution or package)
