"""Kernel-enforced confinement of one submission (runs inside the sandbox; stdlib only).

Each submission gets, when the worker holds CAP_SYS_ADMIN (root, with or
without bubblewrap):

- its own PID namespace: the zygote forks the process serving it straight
  into a new one, where it is PID 1, so when it dies the kernel kills every
  process the student started (``setsid`` or ``setpgid`` escape a process
  group, not a namespace), and it cannot see or signal any other
  submission's processes;
- its own mount, IPC and UTS namespaces: a fresh ``/proc`` of that PID
  namespace, private ``/tmp`` and ``/dev/shm``, no SysV IPC objects left for
  the next submission; no network (bubblewrap's network namespace for the
  pool, or one per submission);
- a uid of its own, so ``RLIMIT_NPROC`` counts this submission only and the
  zygote can add up the memory of all its processes (``memory_by_uid``);
- a seccomp filter: no new namespaces (user namespaces included), no keyrings
  (shared per uid otherwise), no ptrace, mount, bpf, perf or kernel modules,
  no anonymous files or System V shared memory (memory no process maps, which
  the budget could not see), and the parent-death signal cannot be cleared.
"""
from __future__ import annotations

import ctypes
import os
import platform
import secrets
import signal
import struct

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x10000000, 0x20000000, 0x40000000
NAMESPACES = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS
ANY_NAMESPACE = NAMESPACES | CLONE_NEWUSER | CLONE_NEWCGROUP
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 2, 4, 8, 0x1000, 0x2000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 1, 38, 22, 2
UID_RANGE = (200_000, 1 << 30)  # unused by real accounts; files in a private tmpfs only

try:
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    _libc.unshare.argtypes = [ctypes.c_int]
    _libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
    _libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    _libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    _libc.syscall.restype = ctypes.c_long
except (OSError, TypeError, AttributeError):  # not Linux: a plain worker uses only restrict_imports
    _libc = None


def _check(result: int, what: str):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN = 6, 7, 21


def _has_capabilities(*bits: int) -> bool:
    """Whether this process's effective capability set holds every one of ``bits``."""
    try:
        with open("/proc/self/status") as f:
            caps = int(next(line for line in f if line.startswith("CapEff:")).split()[1], 16)
    except (OSError, StopIteration, ValueError):
        return False
    return all(caps >> bit & 1 for bit in bits)


def can_confine() -> bool:
    """Namespaces and mounts need CAP_SYS_ADMIN."""
    return _has_capabilities(CAP_SYS_ADMIN)


def can_drop_root() -> bool:
    """Root can become another uid only with CAP_SETUID and CAP_SETGID."""
    return os.geteuid() != 0 or _has_capabilities(CAP_SETUID, CAP_SETGID)


def new_uid() -> int:
    lo, hi = UID_RANGE
    return lo + secrets.randbelow(hi - lo)


def pid_namespace() -> int:
    """A handle on this process's own PID namespace (see ``fork_into_new_pid_namespace``)."""
    return os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)


def fork_into_new_pid_namespace(own: int) -> int:
    """``os.fork()``, the child being PID 1 of a new PID namespace.

    ``unshare(CLONE_NEWPID)`` puts the caller's next child in a new namespace
    (the caller stays where it is); ``setns`` back to ``own`` right after the
    fork makes the following child need a namespace of its own again.  So one
    copy of the zygote per submission, not two."""
    _check(_libc.unshare(CLONE_NEWPID), "unshare")
    try:
        pid = os.fork()
    except OSError:
        _restore_pid_namespace(own)
        raise
    if pid:
        _restore_pid_namespace(own)
    return pid


def _restore_pid_namespace(own: int):
    if _libc.setns(own, CLONE_NEWPID) != 0:
        # the next submission would share this one's PID namespace: fail closed
        # (the zygote ends, and with it every submission it serves)
        os._exit(70)


def unshare_namespaces(network: bool = True):
    """The other namespaces, entered by the submission's first process itself.
    ``network``: a network namespace of its own, needed where the pool has
    none, and where submissions of several grading processes run in one pool
    at once (bubblewrap gives the pool one; when the pool serves one submission
    at a time, a submission's abstract sockets close with its processes, which
    its PID namespace guarantees)."""
    flags = NAMESPACES & ~CLONE_NEWPID
    _check(_libc.unshare(flags if network else flags & ~CLONE_NEWNET), "unshare")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)),
           f"mount {target}")


MS_RDONLY, MS_REMOUNT, MNT_DETACH = 1, 32, 2
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
DEVICES = ("null", "zero", "full", "random", "urandom")
STAGE = "/tmp"  # where the new root is put together (this namespace's /tmp; sources are held open)


def enter_view(view: dict, tmp_bytes: int = 64 * 1024**2):
    """Make this process's root the allowlisted file system ``view`` describes,
    the same with or without bubblewrap: read-only binds of the system folders
    and the Python installation (``binds``: [source, target]), symbolic links
    (``links``), and, where a question may use only some packages, each
    ``site-packages`` folder of ``restrict`` emptied but for the entries named
    (so a package left out, torch say, does not exist here).  Then a fresh
    ``/proc``, a minimal ``/dev`` and private ``/tmp`` and ``/dev/shm``.  No
    course, checkout or home folder is there; the old root is detached."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    held = {}  # sources, opened before the staging tmpfs covers anything

    def hold(path):
        if path not in held:
            held[path] = os.open(path, os.O_PATH | os.O_CLOEXEC)
        return f"/proc/self/fd/{held[path]}"

    binds = [(hold(src), dst, os.path.isdir(src)) for src, dst in view.get("binds", []) if os.path.exists(src)]
    restrict = {site: [(hold(os.path.join(site, e)), e, os.path.isdir(os.path.join(site, e)))
                       for e in entries if os.path.lexists(os.path.join(site, e))]
                for site, entries in (view.get("restrict") or {}).items()}
    devices = [(hold(f"/dev/{d}"), d) for d in DEVICES if os.path.exists(f"/dev/{d}")]
    try:
        _mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        for src, dst, is_dir in binds:
            _bind_readonly(src, STAGE + dst, is_dir)
        for dst, value in view.get("links", []):
            os.makedirs(os.path.dirname(STAGE + dst), mode=0o755, exist_ok=True)
            os.symlink(value, STAGE + dst)
        for site, entries in restrict.items():
            if not os.path.isdir(STAGE + site):
                continue
            _mount("tmpfs", STAGE + site, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
            for src, name, is_dir in entries:
                _bind_readonly(src, f"{STAGE}{site}/{name}", is_dir)
            _mount(None, STAGE + site, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        dev = STAGE + "/dev"
        os.makedirs(dev, mode=0o755, exist_ok=True)
        _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=1m,mode=0755")
        for src, name in devices:
            _bind_readonly(src, f"{dev}/{name}", False, writable=True)
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                             ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
            os.symlink(target, f"{dev}/{name}")
        size = f"size={max(tmp_bytes, 1 << 20)},mode=1777"
        os.mkdir(f"{dev}/shm")
        _mount("tmpfs", f"{dev}/shm", "tmpfs", MS_NOSUID | MS_NODEV, size)
        os.makedirs(STAGE + "/proc", mode=0o755, exist_ok=True)
        _mount("proc", STAGE + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        os.makedirs(STAGE + "/tmp", mode=0o755, exist_ok=True)
        _mount("tmpfs", STAGE + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, size)
        os.mkdir(STAGE + "/.old")
    finally:
        for fd in held.values():
            os.close(fd)
    _check(_libc.syscall(_PIVOT_ROOT[platform.machine()], STAGE.encode(), (STAGE + "/.old").encode()),
           "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.old", MNT_DETACH), "umount /.old")
    os.rmdir("/.old")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def restrict_imports(restrict: dict):
    """Without a mount namespace (a container that refuses them), the next best
    thing to ``enter_view``'s emptied ``site-packages``: those folders leave
    the import path, and only the entries ``restrict`` names ({folder:
    entries}) can be imported from them.  Python's import path only, not the
    kernel: code that puts a folder back on ``sys.path`` gets around it."""
    import importlib.machinery
    import sys
    folders = {os.path.realpath(site): {e.split(".")[0] for e in entries if not e.endswith((".dist-info", ".pth"))}
               for site, entries in restrict.items()}
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") not in folders]
    sys.path_importer_cache.clear()

    class Allowed:
        """Finds the allowed top-level packages in their folders (and nothing else there)."""

        @staticmethod
        def find_spec(name, path=None, target=None):
            if path is not None:
                return None  # a submodule: found through its package
            for site, names in folders.items():
                if name in names:
                    return importlib.machinery.PathFinder.find_spec(name, [site])
            return None

        @staticmethod
        def invalidate_caches():
            pass

    sys.meta_path.append(Allowed)


def _bind_readonly(src: str, target: str, is_dir: bool, writable: bool = False):
    if is_dir:
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        if not os.path.lexists(target):
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    _mount(src, target, None, MS_BIND | MS_REC)
    if not writable:  # a bind is read-only only once remounted so
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def join_cgroups(fds):
    """Enter the submission's control groups (files the host opened for us)."""
    for fd in fds:
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """This process gets the orphans of its descendants (to reap them); True when it does."""
    return _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def die_with_parent():
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")


def become(uid: int):
    """Drop root for good: no supplementary groups, the given uid and gid."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("setuid did not take effect")


# --- seccomp ----------------------------------------------------------------------

_ARCH = {  # audit arch, syscall numbers
    "x86_64": (0xC000003E, dict(
        clone=56, clone3=435, unshare=272, setns=308, prctl=157, mount=165, umount2=166,
        pivot_root=155, chroot=161, keyctl=250, add_key=248, request_key=249, ptrace=101,
        process_vm_readv=310, process_vm_writev=311, kcmp=312, bpf=321, perf_event_open=298,
        userfaultfd=323, kexec_load=246, init_module=175, finit_module=313, delete_module=176,
        io_uring_setup=425, open_tree=428, move_mount=429, fsopen=430, fsconfig=431, fsmount=432,
        fspick=433, mount_setattr=442, memfd_create=319, memfd_secret=447, shmget=29,
        landlock_create_ruleset=444, landlock_add_rule=445, landlock_restrict_self=446)),
    "aarch64": (0xC00000B7, dict(
        clone=220, clone3=435, unshare=97, setns=268, prctl=167, mount=40, umount2=39,
        pivot_root=41, chroot=51, keyctl=219, add_key=217, request_key=218, ptrace=117,
        process_vm_readv=270, process_vm_writev=271, kcmp=272, bpf=280, perf_event_open=241,
        userfaultfd=282, kexec_load=104, init_module=105, finit_module=273, delete_module=106,
        io_uring_setup=425, open_tree=428, move_mount=429, fsopen=430, fsconfig=431, fsmount=432,
        fspick=433, mount_setattr=442, memfd_create=279, memfd_secret=447, shmget=194,
        landlock_create_ruleset=444, landlock_add_rule=445, landlock_restrict_self=446)),
}
_DENIED = ("unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "keyctl", "add_key",
           "request_key", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "bpf",
           "perf_event_open", "userfaultfd", "kexec_load", "init_module", "finit_module",
           "delete_module", "io_uring_setup", "open_tree", "move_mount", "fsopen", "fsconfig",
           "fsmount", "fspick", "mount_setattr",
           # memory that no process maps stays out of the memory budget (the kernel
           # counts it nowhere per process): anonymous files and System V segments
           "memfd_create", "memfd_secret", "shmget")
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_EPERM, _ENOSYS = 1, 38


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _bpf(code, k, jt=0, jf=0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k & 0xFFFFFFFF)


def seccomp_filter(denied: tuple = _DENIED, keep_pdeathsig: bool = True) -> bytes | None:
    """The BPF program, or None on an architecture we have no table for.
    ``denied``: the system calls that fail with EPERM (clone with namespace
    flags always does, clone3 with ENOSYS); ``keep_pdeathsig``: the parent-death
    signal cannot be changed.  ``namespace_filter`` is the narrowest one."""
    table = _ARCH.get(platform.machine())
    if table is None:
        return None
    arch, nr = table
    deny = _ret(_ERRNO | _EPERM)
    prog = [_bpf(_LD_W_ABS, 4), _bpf(_JEQ, arch, jt=1), _ret(_ERRNO | _ENOSYS),  # a foreign ABI
            _bpf(_LD_W_ABS, 0)]
    if arch == 0xC000003E:  # x32 syscalls alias the x86_64 ones with bit 30 set
        prog += [_bpf(_JGE, 0x40000000, jf=1), _ret(_ERRNO | _ENOSYS)]
    for name in denied:
        prog += [_bpf(_JEQ, nr[name], jf=1), deny]
    prog += [_bpf(_JEQ, nr["clone3"], jf=1), _ret(_ERRNO | _ENOSYS)]  # libc falls back to clone
    # clone: threads and forks yes, new namespaces no (flags are argument 0, offset 16)
    prog += [_bpf(_JEQ, nr["clone"], jf=3), _bpf(_LD_W_ABS, 16), _bpf(_JSET, ANY_NAMESPACE, jf=1), deny,
             _bpf(_LD_W_ABS, 0)]
    if keep_pdeathsig:  # prctl: the parent-death signal stays (argument 0 is the option)
        prog += [_bpf(_JEQ, nr["prctl"], jf=3), _bpf(_LD_W_ABS, 16), _bpf(_JEQ, PR_SET_PDEATHSIG, jf=1), deny]
    prog += [_ret(_ALLOW)]
    return b"".join(prog)


def namespace_filter() -> bytes | None:
    """Only new namespaces refused (unshare, setns, clone with namespace flags:
    EPERM), as Docker's default seccomp profile refuses them to a container
    without CAP_SYS_ADMIN; everything else allowed."""
    return seccomp_filter(denied=("unshare", "setns"), keep_pdeathsig=False)


def _ret(value: int) -> bytes:
    return _bpf(_RET, value)


def install_seccomp() -> bool:
    program = seccomp_filter()
    if program is None:
        return False
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    buffer = ctypes.create_string_buffer(program, len(program))
    prog = _Prog(len(program) // 8, ctypes.addressof(buffer))
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0), "seccomp")
    return True


# --- the memory budget: the zygote adds up each submission's processes ----------------

def memory_by_uid(uids) -> dict:
    """Resident memory (bytes) of every process whose real uid is one of
    ``uids``, per uid, from one pass over /proc: anonymous memory and mapped
    shared memory (``RssAnon`` + ``RssShmem``), not the files it maps.  The
    uid comes from ``status``, not from the owner of ``/proc/PID``, which a
    process that makes itself non-dumpable hands to root."""
    totals = dict.fromkeys(uids, 0)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as f:
                fields = dict(line.split(b":", 1) for line in f.read().splitlines() if b":" in line)
            uid = int(fields[b"Uid"].split()[0])
            if uid in totals:
                totals[uid] += sum(int(fields.get(k, b"0 kB").split()[0]) for k in (b"RssAnon", b"RssShmem")) * 1024
        except (OSError, ValueError, IndexError, KeyError):
            continue
    return totals
