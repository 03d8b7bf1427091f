"""Writing a file the way careful tools do: atomic where it can be, never over the corpus.

Every file framelens writes (``--output``, ``--figures``, model files, saved
lexicons, baselines) goes through :func:`write_output`; a new article (``sources
add``) through :func:`write_new_file`, which never replaces a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from framelens.analysis.errors import CorpusError, OutputError

# Files of the corpus being read (its articles, table and config): an --output that
# would overwrite one of them is refused. Registered by the command that loads it.
# Files of the corpus being read (its articles, table and config): an --output that
# would overwrite one of them is refused. Registered by the command that loads it.
_corpus_guard: list[tuple[Path, Path | None]] = []


def protect_corpus(sources: Path | None, config: Path | None = None) -> None:
    """Refuse later writes over this corpus's files: ``sources`` (a table or an article),
    an article (``.md``) directly in the folder ``sources``, and the ``config``."""
    from framelens.analysis.io.reader import default_sources

    # One corpus a command: replaced, not added to (tests run many commands in one process).
    _corpus_guard[:] = [(Path(sources) if sources is not None else default_sources(),
                         Path(config) if config is not None else None)]


def _corpus_file(target: Path) -> str | None:
    """Why ``target`` belongs to a corpus being read, or None."""
    from framelens.analysis.config.settings import CONFIG_FILENAME
    from framelens.analysis.io.documents import ARTICLE_SUFFIX

    for sources, config in _corpus_guard:
        folder = sources if sources.is_dir() else None
        for protected in (sources, config,
                          folder / CONFIG_FILENAME if folder is not None else None):
            if protected is not None and protected.is_file() and _same_file(protected, target):
                return "it is a file of the corpus being read"
        if (folder is not None and target.suffix == ARTICLE_SUFFIX
                and _same_file(folder, target.parent)):
            return "it is an article of the corpus being read"
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_output(path: Path | str | None, text: str | bytes | Iterable[str]) -> None:
    """Write ``text`` (UTF-8 when a str) to the file ``path``, or to standard output when None.

    ``text`` may also be an iterable of str pieces, made while they are written
    (a streamed output): each piece is written as it comes, so only one is held at
    a time; a file still appears whole or not at all (an exception while the
    pieces are made leaves the old file as it was), standard output gets the
    pieces made before it.

    What careful tools do, by the kind of target:

    - a regular file (or none yet) is replaced atomically: a temporary file in
      the same folder, fsync, rename; an existing file keeps its mode (and, where
      permitted, owner); a new one gets 0666 less the umask, as ``>`` would;
    - a symbolic link is followed: the file it points to is replaced and the
      link stays a link (as ``sort -o`` and shell redirection do);
    - a file with several hard links is rewritten in place, so that every name
      keeps seeing it; the space is reserved first (fallocate), so a full disk
      is reported before a byte of the old content is touched;
    - a character device or a FIFO (``/dev/null``, ``/dev/stdout``, a named
      pipe) is written through, never replaced;
    - a folder, a block device, a socket or an article of the corpus being read
      is refused.

    Every OS error is an :class:`OutputError` naming the file; a short write is
    an error, never a success.
    """
    data: bytes | Iterator[bytes] = text.encode("utf-8") if isinstance(text, str) else \
        text if isinstance(text, bytes) else (piece.encode("utf-8") for piece in text)
    if path is None:
        for piece in _pieces(data):
            write_stdout(piece)
        return
    target = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    reason = _corpus_file(target)
    if reason is not None:
        raise OutputError(f"refusing to overwrite: {reason}; choose another --output",
                          path=path)
    try:
        try:
            info = os.stat(target)
        except FileNotFoundError:
            info = None
        if info is None or stat.S_ISREG(info.st_mode):
            if info is not None and info.st_nlink > 1:
                # In place needs the size first (space is reserved before a byte changes).
                _write_in_place(target, b"".join(_pieces(data)))
            else:
                _replace_atomically(target, data, info)
        elif stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            with open(target, "wb", buffering=0) as stream:
                for piece in _pieces(data):
                    _write_all(stream.fileno(), piece)
        elif stat.S_ISDIR(info.st_mode):
            raise OutputError("is a folder; give a file name", path=path)
        else:
            raise OutputError("not a regular file, character device or pipe; refusing to "
                              "write to it", path=path)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=path) from None


def _pieces(data: bytes | Iterator[bytes]) -> Iterator[bytes]:
    if isinstance(data, bytes):
        yield data
    else:
        yield from data


def write_stdout(data: bytes) -> None:
    """Write to standard output, every byte or an :class:`OutputError` (a full disk, ``/dev/full``).

    Written straight to file descriptor 1, so that a failed write leaves nothing in
    Python's buffer to fail again (and print a second message) at exit.
    """
    stream = sys.stdout
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # replaced (a test runner captures it)
        stream.write(data.decode("utf-8"))
        stream.flush()
        return
    try:
        stream.flush()
        _write_all(fd, data)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "short write")
        view = view[written:]


def _replace_atomically(target: Path, data: bytes | Iterator[bytes],
                        info: os.stat_result | None) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"folder {str(directory)!r} does not exist", path=target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot create a file in folder {str(directory)!r}: "
                          f"{exc.strerror or exc}", path=target) from None
    try:
        if info is not None:
            os.fchmod(handle, stat.S_IMODE(info.st_mode))
            with contextlib.suppress(OSError):  # only root may give a file away
                os.fchown(handle, info.st_uid, info.st_gid)
        else:
            os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            for piece in _pieces(data):
                _write_all(stream.fileno(), piece)
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_in_place(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY)
    try:
        if data and hasattr(os, "posix_fallocate"):
            try:
                os.posix_fallocate(fd, 0, len(data))
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                    raise
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_new_file(path: Path, text: str) -> None:
    """Write ``text`` to a new file ``path``: atomically, and never replacing a file.

    The text goes to a temporary file in the same folder (created with
    O_EXCL, so the umask applies), is flushed and fsynced, then hard-linked
    to the final name: ``os.link`` fails when the name exists, so a file that
    appeared meanwhile is never clobbered, and readers see either no file or
    the whole file. Where hard links are unsupported (FAT, some network file
    systems) the final name is reserved with O_CREAT|O_EXCL and the temporary
    file renamed over that empty placeholder. The temporary file is removed
    whatever happens, including KeyboardInterrupt.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as stream:
            _write_all(stream.fileno(), text.encode("utf-8"))
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise CorpusError("already exists; refusing to overwrite it", path=path) from None
        except OSError:
            _replace_exclusive(temporary, path)
        _fsync_folder(path.parent)
    except FileExistsError:
        raise CorpusError("already exists; refusing to overwrite it", path=path) from None
    except OSError as exc:
        raise CorpusError(f"cannot write the article: {exc.strerror or exc}", path=path) from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _replace_exclusive(temporary: Path, path: Path) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(descriptor)
    try:
        os.replace(temporary, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
