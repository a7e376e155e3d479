"""The profiles in a folder: its YAML files (.yaml, .yml), at any depth, whose top level has a `confgen:` key.

A file is taken when a line of it, at the top level, is the key `confgen:`. That is read from the text, not from
the parsed YAML: a profile with a syntax error further down is still a profile, and is checked (and fails) rather
than passed over. Hidden files and folders (a name starting with '.', such as .git or .venv) are passed over, and
symbolic links to folders are not followed (a link to a file is a profile of its own, as it is when named). The
order is that of the paths, compared part by part (a/z.yaml before b.yaml), so that the same tree always gives
the same list.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from confgen.files import read_regular
from confgen.source import SIZE_LIMIT

SUFFIXES = (".yaml", ".yml")
# The key, plain or quoted, at the start of a line: the top level of a block mapping. A byte order mark may start
# the file.
_TOP_LEVEL_KEY = re.compile(rb"""^(?:\xef\xbb\xbf)?(?:confgen|"confgen"|'confgen')[ \t]*:(?:[ \t]|\r?$)""",
                            re.MULTILINE)


def profiles_in(folder: Path) -> tuple[list[Path], list[OSError]]:
    """The profiles under ``folder``, in a stable order (paths joined to ``folder`` as given), and the folders
    under it that could not be listed (each may hold profiles)."""
    found = []
    unlisted: list[OSError] = []
    for parent, folders, files in os.walk(folder, onerror=unlisted.append, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            path = Path(parent) / name
            if not name.startswith(".") and path.suffix.lower() in SUFFIXES and is_profile(path):
                found.append(path)
    return sorted(found, key=lambda path: path.parts), unlisted


def is_profile(path: Path) -> bool:
    """Whether ``path`` has a top-level `confgen:` key in its first SIZE_LIMIT bytes (a larger file is a profile
    that is too large, F103). A file that cannot be read is taken: checking it reports why (F101)."""
    try:
        data = read_regular(path, SIZE_LIMIT)
    except OSError:
        return True
    return _TOP_LEVEL_KEY.search(data[:SIZE_LIMIT]) is not None
