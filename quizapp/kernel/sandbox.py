"""Process-level limits for the torch worker (Linux first; best effort elsewhere).

Call order in the worker: :func:`die_with_parent` and :func:`set_limits`
before importing torch; :func:`limit_memory`, :func:`limit_open_files` and
:func:`install_audit_hook` after. Nothing here imports torch, so it can be
tested in a plain interpreter.

The memory budget is an address-space limit (RLIMIT_AS) set once torch is
imported: what the process maps at that moment plus :data:`SNIPPET_MEMORY_BYTES`.
A fixed RLIMIT_AS set before the import left CUDA builds of torch (about 3 GB
of mapped libraries) with almost nothing, and the CPU build with 2.4 GB;
measured from the mapped size, every build leaves snippets the same room.
RLIMIT_AS rather than RLIMIT_DATA: it also counts shared and file-backed
mappings and reservations, which RLIMIT_DATA leaves out.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from typing import Any

SNIPPET_MEMORY_BYTES = 5 << 29
"""Address space snippets may add to what the worker maps after importing
torch: 2.5 GiB (the CPU build maps 0.6 GiB, CUDA builds about 3 GB)."""
FALLBACK_ADDRESS_SPACE_BYTES = 3 << 30
"""RLIMIT_AS where the mapped size cannot be read (no /proc/self/status)."""
OPEN_FILES_AFTER_IMPORT = 64
"""RLIMIT_NOFILE once torch is imported (lazy imports still open files to read)."""
CPU_MARGIN_S = 5.0
"""Seconds of CPU above a request's timeout before the kernel sends SIGXCPU."""

_own_rlimit_call = False
_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38


def _prctl(option: int, arg: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, arg, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int | None) -> bool:
    """SIGKILL this process when its parent dies, even by kill -9 (Linux).

    Exits at once if the parent is already gone (the race before prctl).
    Returns whether the kernel accepted the request.
    """
    ok = sys.platform.startswith("linux") and _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if ok:
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(0)
    return ok


def _lower(limit: int, value: int) -> None:
    # Soft and hard alike: even native code could not raise them again.
    soft, hard = resource.getrlimit(limit)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(limit, (value, value))
    except (ValueError, OSError):
        pass


def set_limits(address_space: int | None = None) -> None:
    """Forbid growing any file and core dumps (before torch loads).

    ``address_space``: also cap RLIMIT_AS now, in bytes (the optimizer's
    worker does); the torch worker calls :func:`limit_memory` after the import
    instead.
    """
    # A write past RLIMIT_FSIZE raises SIGXFSZ, which kills by default: make it
    # an EFBIG error instead so the snippet just fails.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if address_space is not None:
        _lower(resource.RLIMIT_AS, address_space)
    _lower(resource.RLIMIT_FSIZE, 0)
    _lower(resource.RLIMIT_CORE, 0)


def mapped_bytes(status_path: str = "/proc/self/status") -> int | None:
    """The address space this process maps now (VmSize), or None if unknown."""
    try:
        with open(status_path, encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    value, unit = line.split()[1:3]
                    return int(value) * 1024 if unit == "kB" else None
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_limit(mapped: int | None, allowance: int = SNIPPET_MEMORY_BYTES) -> int:
    """The RLIMIT_AS for a process that maps ``mapped`` bytes: that plus ``allowance``."""
    return FALLBACK_ADDRESS_SPACE_BYTES if mapped is None else mapped + allowance


def limit_memory(allowance: int = SNIPPET_MEMORY_BYTES) -> int:
    """Cap the address space at what is mapped now plus ``allowance`` (after
    importing torch and its lazy modules, before running any snippet).

    Returns the limit asked for (a lower hard limit already in place wins).
    """
    limit = memory_limit(mapped_bytes(), allowance)
    _lower(resource.RLIMIT_AS, limit)
    return limit


def limit_open_files(count: int = OPEN_FILES_AFTER_IMPORT) -> None:
    """Cap open file descriptors (after the import that needs many)."""
    _lower(resource.RLIMIT_NOFILE, count)


def set_cpu_budget(seconds: float) -> None:
    """Let the process use at most ``seconds`` more CPU before SIGXCPU kills it.

    The soft limit moves per request; the hard limit stays, so later requests
    can raise the soft limit again.
    """
    used = resource.getrusage(resource.RUSAGE_SELF)
    total = used.ru_utime + used.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(total + seconds + CPU_MARGIN_S) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    global _own_rlimit_call
    _own_rlimit_call = True  # the audit hook refuses setrlimit from anyone else
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ValueError, OSError):
        pass
    finally:
        _own_rlimit_call = False


# Audit events refused once the worker is set up (see sys.addaudithook).
DENIED_EVENTS: frozenset[str] = frozenset(
    {
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.kill",
        "os.killpg",
        "os.startfile",
        "subprocess.Popen",
        "pty.spawn",
        "os.remove",
        "os.rmdir",
        "os.rename",
        "os.mkdir",
        "os.symlink",
        "os.link",
        "os.truncate",
        "os.chmod",
        "os.chown",
        "os.lchown",
        "os.chflags",
        "os.lchflags",
        "os.utime",
        "os.putenv",
        "os.unsetenv",
        "os.chdir",
        "os.mkfifo",
        "os.mknod",
        "os.setxattr",
        "os.removexattr",
        "os.add_dll_directory",
        "shutil.copyfile",
        "shutil.copymode",
        "shutil.copystat",
        "shutil.copytree",
        "shutil.move",
        "shutil.rmtree",
        "shutil.make_archive",
        "shutil.unpack_archive",
        "ctypes.dlopen",
        "ctypes.dlsym",
        "ctypes.call_function",
        "ctypes.addressof",
        "ctypes.string_at",
        "ctypes.wstring_at",
        "ctypes.cdata",
        "ctypes.cdata/buffer",
        "ctypes.create_string_buffer",
        "mmap.__new__",
        "pickle.find_class",
        "urllib.Request",
        "webbrowser.open",
        "http.client.connect",
        "ftplib.connect",
        "smtplib.connect",
        "imaplib.open",
        "poplib.connect",
        "nntplib.connect",
        "telnetlib.Telnet.open",
        "sqlite3.connect",
        "resource.setrlimit",
        "resource.prlimit",
        "sys.addaudithook",
        "sys.settrace",
        "sys.setprofile",
        "sys.remote_exec",
    }
)
DENIED_PREFIXES: tuple[str, ...] = ("socket.", "os.exec", "os.spawn", "os.posix_spawn", "winreg.")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def _is_write_open(args: tuple[Any, ...]) -> bool:
    mode = args[1] if len(args) > 1 else None
    flags = args[2] if len(args) > 2 else None
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and flags >= 0 and bool(flags & _WRITE_FLAGS)


def audit_hook(event: str, args: tuple[Any, ...]) -> None:
    """Refuse writes, processes, sockets and native calls (raise PermissionError)."""
    if event == "open":
        if _is_write_open(args):
            raise PermissionError(f"sandbox: opening {args[0]!r} for writing is not allowed")
        return
    if event == "resource.setrlimit" and _own_rlimit_call:
        return
    if event in DENIED_EVENTS or event.startswith(DENIED_PREFIXES):
        raise PermissionError(f"sandbox: {event} is not allowed")


def install_audit_hook() -> None:
    """Install :func:`audit_hook` for good (audit hooks cannot be removed)."""
    sys.addaudithook(audit_hook)
