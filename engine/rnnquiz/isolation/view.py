"""The file system a submission sees: an allowlist, as data.

The same view whatever starts the sandbox: ``sandboxed/confine.enter_view``
makes it for each submission, and bubblewrap builds it around the whole pool
from ``bwrap_view_args``.  A question restricted to some packages gets a view
in which no other installed package exists.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# of /etc only what Python, NumPy and torch read: the dynamic linker's cache and the
# time zone; the rest of /etc (a course's nbgrader_config.py with its database
# password, say) could be raised as an exception and read back in feedback
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")


def file_view(packages: tuple | None = None) -> dict:
    """The allowlisted file system a submission sees, as data (``confine.enter_view``
    makes it in every mode; bubblewrap's outer sandbox is built from it too):
    the system folders, a few files of /etc and the Python installation, read-only.  ``packages``:
    the only installed packages that exist there (a question that must be
    answered with NumPy alone: no torch files at all); None: all of them."""
    binds, links = [], []
    for path in SYSTEM_DIRS + ETC_FILES:
        if os.path.islink(path):
            links.append([path, os.readlink(path)])
        elif os.path.isdir(path) or os.path.isfile(path):
            binds.append(Path(path))
    for path in _unique_existing(_python_dirs()):
        if not any(path == b or b in path.parents for b in binds):
            binds = [b for b in binds if path not in b.parents] + [path]
    view = {"binds": [[str(p), str(p)] for p in binds], "links": links}
    if packages is not None:
        view["restrict"] = package_entries(packages)
    return view


def package_entries(packages: tuple) -> dict:
    """{site-packages folder: the entries of ``packages`` in it} for every
    site-packages folder of this Python (those the packages are not in stay empty)."""
    import importlib.metadata
    import site
    folders = {str(p) for p in _unique_existing(
        [*sys.path, *site.getsitepackages([sys.prefix, sys.base_prefix])])
        if p.name in ("site-packages", "dist-packages") and p.is_dir()}
    entries: dict = {folder: set() for folder in folders}
    for name in packages:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise ValueError(f"package {name!r} is not installed") from None
        location = str(Path(dist.locate_file("")).resolve())
        for f in dist.files or []:
            top = Path(f).parts[0] if Path(f).parts else ""
            if top and top != ".." and location in entries:
                entries[location].add(top)
    return {folder: sorted(names) for folder, names in sorted(entries.items())}


def bwrap_view_args(view: dict) -> list:
    """bubblewrap's arguments for ``view`` (see ``file_view``)."""
    args, made = [], set()
    for dst, value in view.get("links", []):
        args += ["--symlink", value, dst]
    for src, dst in view.get("binds", []):
        # parents made world-traversable: bwrap copies their modes (0700 for
        # /root), and the student processes run under a uid of their own
        for parent in reversed(Path(dst).parents[:-1]):
            if str(parent) not in made and not any(str(parent) == d for d, _v in view.get("links", [])):
                made.add(str(parent))
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", src, dst]
    for site, names in (view.get("restrict") or {}).items():
        args += ["--tmpfs", site]
        for name in names:
            args += ["--ro-bind", f"{site}/{name}", f"{site}/{name}"]
        args += ["--remount-ro", site]
    return args


def _python_dirs() -> list[Path]:
    dirs = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent.parent}
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            dirs.add(Path(entry))
    return sorted(dirs)


def _unique_existing(paths) -> list[Path]:
    out = []
    for path in paths:
        try:
            path = Path(path).resolve()
        except OSError:
            continue
        if path.exists() and path != Path("/") and path not in out:
            out.append(path)
    return out
