# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Files under an account's home, reached without ever following a symbolic link.

Private to this collection (no compatibility promise). The modules that use it
run as the deploy account (``become_user``), so the kernel already stops them
at what the account may touch; on top of that, every path is walked from the
home directory one component at a time with ``O_NOFOLLOW``, so a link the
account planted is reported as such instead of being followed. Nothing here
prints a file's content unless asked to read it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class UnsafePath(Exception):
    """A path under the home that is a symbolic link, not a directory where one is needed, or malformed."""


def parts_of(rel):
    """The components of a path relative to the home; refuses absolute paths, '.', '..' and control characters."""
    if not isinstance(rel, str) or not rel or rel.startswith("/"):
        raise UnsafePath(f"{rel!r} is not a path relative to the home directory")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in rel):
        raise UnsafePath(f"{rel!r} holds a control character")
    parts = [p for p in rel.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts):
        raise UnsafePath(f"{rel!r} must not contain '.' or '..' components")
    return parts


def _kind(mode):
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


class Home:
    """The account's home directory, opened once; every path below it is relative."""

    def __init__(self, path):
        self.path = path.rstrip("/") or "/"
        self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def close(self):
        os.close(self.fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def abspath(self, rel):
        return self.path + "/" + "/".join(parts_of(rel))

    # --- walking -----------------------------------------------------------------
    def open_dir(self, parts, create_mode=None, created=None):
        """An fd of the directory ``parts`` below the home, never through a link.

        Missing directories are created with ``create_mode`` (and listed in
        ``created``) when it is given; FileNotFoundError otherwise.
        """
        fd = os.dup(self.fd)
        walked = []
        try:
            for part in parts:
                walked.append(part)
                try:
                    nfd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if create_mode is None:
                        raise
                    os.mkdir(part, 0o700, dir_fd=fd)
                    nfd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                    os.fchmod(nfd, create_mode)
                    if created is not None:
                        created.append("/".join(walked))
                except OSError as err:
                    if err.errno not in (errno.ELOOP, errno.ENOTDIR):
                        raise
                    st = os.stat(part, dir_fd=fd, follow_symlinks=False)
                    what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a directory"
                    raise UnsafePath(f"{self.path}/{'/'.join(walked)} is {what}") from None
                os.close(fd)
                fd = nfd
        except BaseException:
            os.close(fd)
            raise
        return fd

    def lstat(self, rel):
        """os.lstat of ``rel``, or None when it (or a parent) does not exist; UnsafePath for a linked parent."""
        parts = parts_of(rel)
        try:
            parent = self.open_dir(parts[:-1])
        except FileNotFoundError:
            return None
        try:
            return os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            return None
        finally:
            os.close(parent)

    def describe(self, rel, checksum=True):
        """What is at ``rel``: exists, type, mode, uid, gid, size and (files) the sha256 of the content."""
        try:
            st = self.lstat(rel)
        except UnsafePath as err:
            return {"exists": True, "type": "unsafe", "reason": str(err)}
        if st is None:
            return {"exists": False}
        info = {
            "exists": True,
            "type": _kind(st.st_mode),
            "mode": f"{stat.S_IMODE(st.st_mode):04o}",
            "uid": st.st_uid,
            "gid": st.st_gid,
            "size": st.st_size,
        }
        if checksum and info["type"] == "file":
            try:
                info["checksum"] = hashlib.sha256(self.read_bytes(rel)).hexdigest()
            except PermissionError:
                info["checksum"] = None
        return info

    # --- reading -----------------------------------------------------------------
    def _open_file(self, rel):
        parts = parts_of(rel)
        parent = self.open_dir(parts[:-1])
        try:
            try:
                fd = os.open(parts[-1], _READ_FLAGS, dir_fd=parent)
            except OSError as err:
                if err.errno == errno.ELOOP:
                    raise UnsafePath(f"{self.path}/{rel} is a symbolic link") from None
                raise
        finally:
            os.close(parent)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise UnsafePath(f"{self.path}/{rel} is not a regular file")
        return fd

    def read_bytes(self, rel, limit=None):
        """The content of a regular file (at most ``limit`` bytes), never through a link."""
        fd = self._open_file(rel)
        try:
            chunks = []
            total = 0
            while limit is None or total < limit:
                chunk = os.read(fd, 65536 if limit is None else min(65536, limit - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def tail(self, rel, lines, max_bytes=65536):
        """The last ``lines`` lines of a regular file (from its last ``max_bytes`` bytes)."""
        fd = self._open_file(rel)
        try:
            size = os.fstat(fd).st_size
            os.lseek(fd, max(0, size - max_bytes), os.SEEK_SET)
            data = b""
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(fd)
        return data.decode("utf-8", "replace").splitlines()[-lines:]

    def usage(self, rel):
        """Disk use of ``rel`` and everything below it, walked without following a link.

        ``bytes`` sums the apparent sizes, ``disk_bytes`` the allocated blocks
        (what ``du`` reports; a file with several links counts once);
        ``unreadable`` counts directories this account may not list. A link
        counts as itself, never what it points to.
        """
        st = self.lstat(rel)
        if st is None:
            return {"exists": False}
        if stat.S_ISLNK(st.st_mode):
            raise UnsafePath(f"{self.path}/{rel} is a symbolic link")
        totals = {"exists": True, "bytes": 0, "disk_bytes": 0, "files": 0, "directories": 0, "unreadable": 0}
        seen = set()

        def count(entry_st):
            if entry_st.st_nlink > 1 and not stat.S_ISDIR(entry_st.st_mode):
                if (entry_st.st_dev, entry_st.st_ino) in seen:
                    return
                seen.add((entry_st.st_dev, entry_st.st_ino))
            totals["bytes"] += entry_st.st_size
            totals["disk_bytes"] += getattr(entry_st, "st_blocks", 0) * 512
            totals["directories" if stat.S_ISDIR(entry_st.st_mode) else "files"] += 1

        count(st)
        if not stat.S_ISDIR(st.st_mode):
            return totals
        pending = [self.open_dir(parts_of(rel))]
        while pending:
            fd = pending.pop()
            try:
                try:
                    names = os.listdir(fd)
                except PermissionError:
                    totals["unreadable"] += 1
                    continue
                for name in names:
                    try:
                        entry_st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                    except FileNotFoundError:  # gone since the listing
                        continue
                    count(entry_st)
                    if stat.S_ISDIR(entry_st.st_mode):
                        try:
                            pending.append(os.open(name, _DIR_FLAGS, dir_fd=fd))
                        except PermissionError:
                            totals["unreadable"] += 1
                        except OSError as err:  # replaced by a link since the stat: not followed
                            if err.errno not in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
                                raise
            finally:
                os.close(fd)
        return totals

    def listing(self, rel):
        """The entries of the directory ``rel`` (name and type, links as links), sorted by name."""
        fd = self.open_dir(parts_of(rel))
        try:
            names = sorted(os.listdir(fd))
            entries = []
            for name in names:
                try:
                    entry_st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                entries.append({"name": name, "type": _kind(entry_st.st_mode)})
            return entries
        finally:
            os.close(fd)

    # --- writing -----------------------------------------------------------------
    def ensure_dir(self, rel, mode, keep_existing=False, check_mode=False):
        """Make ``rel`` a directory of ``mode``; return True when something changed.

        ``keep_existing``: a directory that exists keeps its owner and mode
        (service data, e.g. a database's own files).
        """
        parts = parts_of(rel)
        st = self.lstat(rel)
        if st is not None and not stat.S_ISDIR(st.st_mode):
            what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a directory"
            raise UnsafePath(f"{self.path}/{rel} is {what}")
        if st is not None and (keep_existing or stat.S_IMODE(st.st_mode) == mode):
            return False
        if check_mode:
            return True
        if st is None:
            os.close(self.open_dir(parts, create_mode=mode))
            return True
        fd = self.open_dir(parts)
        try:
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        return True

    def write_file(self, rel, content, mode, validate=None, check_mode=False):
        """Replace ``rel`` atomically with ``content`` (bytes) and ``mode``.

        Returns ``(changed, before)`` where ``before`` is the old content (None
        when there was no file). ``validate(tmp_path)`` runs on the new file in
        the same directory before it replaces the old one and raises to refuse it.
        A link or directory at ``rel`` is refused, never replaced or followed.
        """
        parts = parts_of(rel)
        try:
            parent = self.open_dir(parts[:-1])
        except FileNotFoundError:
            if check_mode:  # its directory is still to be made (in this same call, outside check mode)
                return True, None
            raise
        try:
            name = parts[-1]
            try:
                st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                st = None
            before = None
            if st is not None:
                if not stat.S_ISREG(st.st_mode):
                    what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
                    raise UnsafePath(f"{self.path}/{rel} is {what}")
                before = self.read_bytes(rel)
                if before == content and stat.S_IMODE(st.st_mode) == mode:
                    return False, before
            if check_mode:
                return True, before
            if before == content and st is not None:
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
                try:
                    os.fchmod(fd, mode)
                finally:
                    os.close(fd)
                return True, before
            tmp = f".{name}.{secrets.token_hex(6)}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=parent)
            try:
                try:
                    view = memoryview(content)
                    while view:
                        view = view[os.write(fd, view) :]
                    os.fchmod(fd, mode)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                if validate is not None:
                    validate(self.path + "/" + "/".join([*parts[:-1], tmp]))
                os.rename(tmp, name, src_dir_fd=parent, dst_dir_fd=parent)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp, dir_fd=parent)
                raise
            os.fsync(parent)
            return True, before
        finally:
            os.close(parent)

    def set_mode(self, rel, mode, check_mode=False):
        """Set the mode of the regular file ``rel`` (never through a link); True when it changed."""
        fd = self._open_file(rel)
        try:
            if stat.S_IMODE(os.fstat(fd).st_mode) == mode:
                return False
            if not check_mode:
                os.fchmod(fd, mode)
            return True
        finally:
            os.close(fd)

    def remove(self, rel, check_mode=False):
        """Remove a file or link at ``rel`` (never what a link points to); True when something was there."""
        parts = parts_of(rel)
        try:
            parent = self.open_dir(parts[:-1])
        except FileNotFoundError:
            return False
        try:
            try:
                st = os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                return False
            if stat.S_ISDIR(st.st_mode):
                raise UnsafePath(f"{self.path}/{rel} is a directory")
            if not check_mode:
                os.unlink(parts[-1], dir_fd=parent)
            return True
        finally:
            os.close(parent)

    def remove_empty_dir(self, rel, check_mode=False, removing=()):
        """Remove the directory ``rel`` when it is empty (never through a link).

        Returns "removed", "absent" or "not empty" (then it is left as it is).
        ``removing``: paths (relative to the home) removed earlier in the same
        call, which check mode counts as gone although they are still there.
        A link or anything else that is not a directory at ``rel`` is refused.
        """
        parts = parts_of(rel)
        st = self.lstat(rel)
        if st is None:
            return "absent"
        if not stat.S_ISDIR(st.st_mode):
            what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a directory"
            raise UnsafePath(f"{self.path}/{rel} is {what}")
        fd = self.open_dir(parts)
        try:
            entries = os.listdir(fd)
        finally:
            os.close(fd)
        prefix = "/".join(parts) + "/"
        gone = {"/".join(parts_of(r)) for r in removing}
        if any(prefix + entry not in gone for entry in entries):
            return "not empty"
        if not check_mode:
            parent = self.open_dir(parts[:-1])
            try:
                os.rmdir(parts[-1], dir_fd=parent)
            except OSError as err:
                if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                return "not empty"  # something was added since it was listed
            finally:
                os.close(parent)
        return "removed"
