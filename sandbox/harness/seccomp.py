"""A seccomp filter for harnesses inside bubblewrap: no way out of their own process tree.

Installed by a harness that joined its sandbox (``harness.namespaces``) and
inherited by every case it forks. It refuses (EPERM) what reaches another
process's memory (``ptrace``, ``process_vm_readv``/``writev``,
``pidfd_getfd``, ``perf_event_open``) and what makes or joins namespaces
(``unshare``, ``setns``, ``clone`` with a ``CLONE_NEW*`` flag), and the
kernel's keyrings and log (a keyring belongs to a uid, and as root every
sandbox is the same ``nobody``: a channel between submissions). ``clone3``
answers ENOSYS, so that the C library falls back to ``clone``, whose flags a
filter can read. Flatpak's sandbox (``flatpak-run.c``, ``setup_seccomp``)
and docker's default profile refuse the same calls for the same reasons;
nested user namespaces are also where most of the kernel's privilege bugs
are reached from. System calls of another ABI (i386, x32) are refused
altogether: they would bypass the numbers below.
"""

from __future__ import annotations

import ctypes
import errno
import platform

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
JGE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
JSET = 0x45  # BPF_JMP | BPF_JSET | BPF_K
RET = 0x06  # BPF_RET | BPF_K
X32_BIT = 0x40000000
NAMESPACE_FLAGS = 0x7E020000
"""CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET."""

ARCHES = {
    # machine: (AUDIT_ARCH_*, {call: number}, has x32)
    "x86_64": (0xC000003E, {"ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
                            "pidfd_getfd": 438, "perf_event_open": 298, "unshare": 272,
                            "setns": 308, "clone": 56, "clone3": 435, "add_key": 248,
                            "request_key": 249, "keyctl": 250, "syslog": 103}, True),
    "aarch64": (0xC00000B7, {"ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
                             "pidfd_getfd": 438, "perf_event_open": 241, "unshare": 97,
                             "setns": 268, "clone": 220, "clone3": 435, "add_key": 217,
                             "request_key": 218, "keyctl": 219, "syslog": 116}, False),
}
DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "perf_event_open",
    "unshare", "setns", "add_key", "request_key", "keyctl", "syslog",
)


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def supported() -> bool:
    """Whether this machine's architecture has a filter here."""
    return platform.machine() in ARCHES


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter for ``machine`` as (code, jump if true, jump if false, k) rows."""
    arch, numbers, x32 = ARCHES[machine]
    deny = RET_ERRNO | errno.EPERM
    rows = [(LD_ABS, 0, 0, 4), (JEQ, 1, 0, arch), (RET, 0, 0, deny), (LD_ABS, 0, 0, 0)]
    if x32:
        rows += [(JGE, 0, 1, X32_BIT), (RET, 0, 0, deny)]
    for name in DENIED:
        rows += [(JEQ, 0, 1, numbers[name]), (RET, 0, 0, deny)]
    rows += [(JEQ, 0, 1, numbers["clone3"]), (RET, 0, 0, RET_ERRNO | errno.ENOSYS)]
    rows += [(JEQ, 0, 3, numbers["clone"]), (LD_ABS, 0, 0, 16), (JSET, 0, 1, NAMESPACE_FLAGS), (RET, 0, 0, deny)]
    return rows + [(RET, 0, 0, RET_ALLOW)]


def confine() -> None:  # pragma: no cover - runs in the forked harness
    """Install the filter on this process (no_new_privs must be set); raises OSError."""
    machine = platform.machine()
    if machine not in ARCHES:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {machine}")
    rows = program(machine)
    instructions = (_Instruction * len(rows))(*(_Instruction(*row) for row in rows))
    prog = _Program(len(rows), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_SECCOMP")
