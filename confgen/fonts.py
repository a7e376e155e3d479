"""The font setup a PDF was made with, as the build record keeps it: the same profile builds the same bytes
only while this is the same.

It is the font files WeasyPrint used for the document (their hashes), fontconfig's configuration files (their
hashes) and font folders (a font added or removed there changes the folder), and the libraries that choose,
shape and subset the fonts (HarfBuzz, its subsetter or its absence, Pango, fontconfig, FreeType). Everything is
found while WeasyPrint is loaded, in the process that renders; it is checked again later with plain file
reads, without loading WeasyPrint. Where WeasyPrint's internals are not what this module knows (another
version), the setup is "unknown" and the next build renders again: never wrongly unchanged.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from confgen.files import sha256_of
from confgen.record import UNKNOWN, identity

_LIBRARIES = ("libharfbuzz", "libpango", "libfontconfig", "libfreetype")
_SUBSETTER = "libharfbuzz-subset.so.0"
_FONTCONFIG_NAMES = ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll", "libfontconfig-1",
                     "fontconfig-1", "fontconfig")


def font_setup(document: Any) -> dict[str, str]:
    """What the PDF of ``document`` (a laid-out weasyprint Document, after write_pdf) was made with: path ->
    what the build record keeps for it."""
    try:
        from weasyprint.text.fonts import get_hb_object_data

        files, folders, config_files = _fontconfig()
        setup = _system_setup(folders, config_files)
        by_size = _by_size(files)
        for font in document.fonts.values():
            data = bytes(get_hb_object_data(font.hb_face))
            path = _font_file(by_size, hashlib.sha256(data).hexdigest(), len(data))
            if path is not None:
                setup[path] = f"sha256:{hashlib.sha256(data).hexdigest()}"
            # A font not among fontconfig's files came from a stylesheet's @font-face: a file the fetcher served,
            # or a data: URL inside a template, which the record has already.
        return setup
    except Exception:  # WeasyPrint's internals changed: rebuild every time rather than vouch for what is unknown
        return {"font setup": UNKNOWN}


def _system_setup(folders: list[str], config_files: list[str]) -> dict[str, str]:
    setup: dict[str, str] = {}
    for path in config_files:  # fontconfig lists the folders of configuration files too
        setup[path] = identity(path, "folder" if Path(path).is_dir() else "sha256")
    for folder in folders:  # every font folder it scans, missing ones included: a font added there is seen
        setup[folder] = identity(folder, "folder")
    setup.update(_libraries())
    return setup


_FONTCONFIG_API = """
    typedef struct _FcConfig FcConfig;
    typedef struct _FcPattern FcPattern;
    typedef struct _FcStrList FcStrList;
    typedef unsigned char FcChar8;
    typedef struct _FcFontSet { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
    FcConfig * FcInitLoadConfigAndFonts (void);
    void FcConfigDestroy (FcConfig *config);
    FcFontSet * FcConfigGetFonts (FcConfig *config, int set);
    FcStrList * FcConfigGetFontDirs (FcConfig *config);
    FcStrList * FcConfigGetConfigFiles (FcConfig *config);
    FcChar8 * FcStrListNext (FcStrList *list);
    void FcStrListDone (FcStrList *list);
    int FcPatternGetString (FcPattern *p, const char *object, int n, FcChar8 **s);
"""


def _fontconfig() -> tuple[list[str], list[str], list[str]]:
    """The font files fontconfig knows, the folders it scans for them, and its configuration files: what
    WeasyPrint's fontconfig reads, through fontconfig's own API (the library WeasyPrint loaded)."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_FONTCONFIG_API)
    library: Any = None
    # The library WeasyPrint loaded, where the process's maps tell (Linux); else the names WeasyPrint tries.
    for name in [path for path, _ in _loaded(("libfontconfig",))] + list(_FONTCONFIG_NAMES):
        try:
            library = ffi.dlopen(name)
            break
        except OSError:
            continue
    if library is None:
        raise OSError("fontconfig cannot be loaded")
    config = library.FcInitLoadConfigAndFonts()
    if config == ffi.NULL:
        raise OSError("fontconfig has no configuration")
    try:
        def listed(strings: Any) -> list[str]:
            found = []
            try:
                while (item := library.FcStrListNext(strings)) != ffi.NULL:
                    found.append(os.fsdecode(ffi.string(item)))
            finally:
                library.FcStrListDone(strings)
            return sorted(set(found))

        fonts = library.FcConfigGetFonts(config, 0)  # FcSetSystem
        value = ffi.new("FcChar8 **")
        files = set()
        for index in range(fonts.nfont if fonts != ffi.NULL else 0):
            if library.FcPatternGetString(fonts.fonts[index], b"file", 0, value) == 0:  # FcResultMatch
                files.add(os.fsdecode(ffi.string(value[0])))
        return sorted(files), listed(library.FcConfigGetFontDirs(config)), \
            listed(library.FcConfigGetConfigFiles(config))
    finally:
        library.FcConfigDestroy(config)


def _by_size(files: list[str]) -> dict[int, list[str]]:
    by_size: dict[int, list[str]] = {}
    for path in files:
        try:
            by_size.setdefault(Path(path).stat().st_size, []).append(path)
        except OSError:
            continue
    return by_size


def _font_file(by_size: dict[int, list[str]], sha256: str, size: int) -> str | None:
    """The font file fontconfig knows whose bytes are these (only files of that size are read)."""
    return next((path for path in by_size.get(size, []) if sha256_of(Path(path)) == sha256), None)


def _loaded(prefixes: tuple[str, ...]) -> list[tuple[str, str]]:
    """The shared libraries this process has loaded whose names start with one of ``prefixes``: (path, name)."""
    try:
        with Path(f"/proc/{os.getpid()}/maps").open(encoding="utf-8", errors="surrogateescape") as maps:
            paths = {line.split(maxsplit=5)[5].strip() for line in maps if len(line.split(maxsplit=5)) == 6}
    except OSError:  # not Linux: the libraries are not followed
        return []
    return sorted((path, Path(path).name) for path in paths if Path(path).name.startswith(prefixes))


def _libraries() -> Iterator[tuple[str, str]]:
    """The shared libraries loaded for fonts, by what they are on disk (a package upgrade replaces them), and
    HarfBuzz's subsetter where it would be, when it is absent (WeasyPrint then subsets with fontTools)."""
    found = _loaded(_LIBRARIES)
    for path, _ in found:
        yield path, identity(path, "stat")
    harfbuzz = next((path for path, name in found if name.startswith("libharfbuzz.so")), None)
    if harfbuzz and not any(name.startswith("libharfbuzz-subset") for _, name in found):
        yield str(Path(harfbuzz).with_name(_SUBSETTER)), "absent"
