"""One file over the file size limit, then files until the scratch tmpfs is full."""
import errno
import os

BLOCK = b"\0" * (1 << 20)


def fill(path, megabytes):
    """Bytes written before the first OSError, and its errno name ("" if none)."""
    written = 0
    try:
        with open(path, "wb") as handle:
            for _ in range(megabytes):
                handle.write(BLOCK)
                handle.flush()
                written += len(BLOCK)
    except OSError as exc:
        return written, errno.errorcode.get(exc.errno, str(exc.errno))
    return written, ""


def f(x):
    if x == 1:
        big, big_error = fill("/tmp/big", 1024)
        os.remove("/tmp/big")
        total, error = 0, ""
        for n in range(1024):
            written, error = fill(f"/tmp/fill-{n}", 8)
            total += written
            if error:
                break
        _, root = fill("/fill", 1)
        return {"big": big, "big_error": big_error, "total": total, "error": error, "root": root}
    return {"written": fill("/tmp/after.bin", 8)[0]}
