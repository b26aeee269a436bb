"""The file system a submission may touch, enforced by the kernel without namespaces (stdlib only).

Where new namespaces are refused (a container), Landlock (Linux 5.13 and
later; its system calls are allowed by Docker's default seccomp profile) is
what keeps a submission to the same allowlist as ``confine.enter_view``:
the system folders and the Python installation, readable; a few devices;
``/proc``, readable; and one folder of its own, writable.  Nothing else,
course and ``/tmp`` included, can be opened, listed or written.  Where the
kernel is recent enough, TCP connections and binds, signals to processes
outside the submission and abstract Unix sockets made outside it are refused too.

The ruleset is made once per view by the zygote (``ruleset``) and each
submission's process restricts itself with it (``restrict_self``), as root,
before it drops to its own uid.
"""
from __future__ import annotations

import ctypes
import os

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same on x86_64 and aarch64
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH, PR_SET_NO_NEW_PRIVS = 1, 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
TRUNCATE, IOCTL_DEV = 1 << 14, 1 << 15
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the only ones a rule on a file may hold
READ_ONLY = EXECUTE | READ_FILE | READ_DIR
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
DEVICES = ("null", "zero", "full", "random", "urandom")

try:
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.syscall.restype = ctypes.c_long
    _libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
except (OSError, TypeError, AttributeError):  # not Linux: only a plain worker runs there, without Landlock
    _libc = None


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi() -> int:
    """The Landlock ABI version this kernel offers this process; 0 without it
    (an old kernel, Landlock not enabled at boot, or a seccomp profile that refuses it)."""
    if _libc is None:
        return 0
    version = _libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def handled_fs(version: int) -> int:
    """Every file-system right ``version`` knows (each denied unless a rule allows it)."""
    bits = 13 + (version >= 2) + (version >= 3) + (version >= 5)  # REFER, TRUNCATE, IOCTL_DEV
    return (1 << bits) - 1


def ruleset(view: dict, scratch: str) -> int:
    """A Landlock ruleset (a file descriptor) for ``view`` (``isolation.view.file_view``'s
    data): its binds readable, the site-packages folders it restricts holding only
    the entries it names, the devices and ``/proc`` readable, ``scratch`` writable.
    Raises OSError where the kernel has no Landlock."""
    version = abi()
    if version < 1:
        raise OSError("Landlock is not available here")
    fs = handled_fs(version)
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0)
    fd = _libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), ctypes.c_uint32(0))
    if fd < 0:
        raise _error("landlock_create_ruleset")
    try:
        restrict = {os.path.realpath(site): set(entries) for site, entries in (view.get("restrict") or {}).items()}
        for src, _dst in view.get("binds", []):
            for path, rights in _readable(os.path.realpath(src), restrict):
                _allow(fd, path, rights & fs)
        for name in DEVICES:
            _allow(fd, f"/dev/{name}", (READ_FILE | WRITE_FILE | TRUNCATE) & fs)
        _allow(fd, "/proc", (READ_FILE | READ_DIR) & fs)
        _allow(fd, scratch, fs)
    except BaseException:
        os.close(fd)
        raise
    return int(fd)


def _readable(path: str, restrict: dict) -> list:
    """[(path, rights)] making ``path`` readable but, in each restricted
    site-packages folder under it, only the entries named (its other entries
    are listed, never opened: Python's import system lists the folders it searches)."""
    if path in restrict:
        return [(path, READ_DIR)] + [(os.path.join(path, e), READ_ONLY) for e in sorted(restrict[path])]
    if not any(site.startswith(path.rstrip("/") + "/") for site in restrict):
        return [(path, READ_ONLY)]
    found = [(path, READ_DIR)]
    for entry in sorted(os.listdir(path)):
        inner = os.path.join(path, entry)
        if not os.path.islink(inner):  # a link is followed to what it names, which has rules of its own or none
            found += _readable(inner, restrict)
    return found


def _allow(fd: int, path: str, rights: int):
    try:
        target = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return  # not on this machine: nothing to allow
    try:
        if not os.path.isdir(f"/proc/self/fd/{target}"):
            rights &= FILE_RIGHTS
        rule = _PathBeneath(rights, target)
        if rights and _libc.syscall(_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(_RULE_PATH_BENEATH),
                                    ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            raise _error(f"landlock_add_rule {path}")
    finally:
        os.close(target)


def restrict_self(fd: int):
    """This process and everything it starts from now on: only what ``fd``'s
    rules allow, for good (no privilege, root's included, lifts it)."""
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise _error("no_new_privs")
    if _libc.syscall(_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
        raise _error("landlock_restrict_self")


def _error(what: str) -> OSError:
    err = ctypes.get_errno()
    return OSError(err, f"{what}: {os.strerror(err)}")
