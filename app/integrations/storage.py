"""Where stored files live: a tiny interface (save, read, open, delete by key) with a local-folder backend and
an fsspec backend (`s3://bucket/prefix`, `memory://...`), so object storage replaces the folder by configuration,
without touching the services that use it."""

import os
import shutil
from typing import BinaryIO, Protocol

from flask import current_app


class FileStorage(Protocol):
    def save(self, key: str, data: bytes) -> str: ...

    def save_stream(self, key: str, stream: BinaryIO) -> str: ...

    def read(self, key: str) -> bytes: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """A key is a plain file name, never a path: nothing a caller passes can reach outside the storage's root."""
    if not key or os.path.basename(key) != key or key.startswith(".") or "\\" in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files under one folder."""

    def __init__(self, root: str):
        self.root = root

    def _path(self, key: str) -> str:
        return os.path.join(self.root, check_key(key))

    def save(self, key: str, data: bytes) -> str:
        """Write atomically (temporary file, then rename): a reader never sees half a file."""
        return self._write(key, lambda file: file.write(data))

    def save_stream(self, key: str, stream: BinaryIO) -> str:
        """Like `save`, copying from a file object in chunks (a video need not fit in memory)."""
        return self._write(key, lambda file: shutil.copyfileobj(stream, file))

    def _write(self, key: str, write) -> str:
        os.makedirs(self.root, exist_ok=True)
        path = self._path(key)
        partial = f"{path}.{os.getpid()}.part"
        try:
            with open(partial, "wb") as file:
                write(file)
            os.replace(partial, path)
        except BaseException:
            _remove(partial)
            raise
        return key

    def read(self, key: str) -> bytes:
        with open(self._path(key), "rb") as file:
            return file.read()

    def open(self, key: str) -> BinaryIO:
        """A real file: a server streams it and answers Range requests."""
        return open(self._path(key), "rb")  # noqa: SIM115 - the caller (send_file) closes it

    def delete(self, key: str) -> None:
        _remove(self._path(key))


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


class FsspecStorage:
    """Files under an fsspec URL: `s3://bucket/prefix` (with s3fs installed), `memory://name` (tests), and
    any other filesystem fsspec knows. Object stores write a whole object at once, so no reader sees half."""

    def __init__(self, url: str):
        import fsspec  # imported on use: a deployment with a plain folder never loads it

        self.fs, self.root = fsspec.core.url_to_fs(url)

    def _path(self, key: str) -> str:
        return f"{self.root.rstrip('/')}/{check_key(key)}"

    def save(self, key: str, data: bytes) -> str:
        self.fs.pipe_file(self._path(key), data)
        return key

    def save_stream(self, key: str, stream: BinaryIO) -> str:
        with self.fs.open(self._path(key), "wb") as file:
            shutil.copyfileobj(stream, file)
        return key

    def read(self, key: str) -> bytes:
        return self.fs.cat_file(self._path(key))

    def open(self, key: str) -> BinaryIO:
        return self.fs.open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        try:
            self.fs.rm_file(self._path(key))
        except FileNotFoundError:
            pass


def storage_at(location: str) -> FileStorage:
    """A folder path is local storage; a URL (`scheme://...`) is served through fsspec."""
    return FsspecStorage(location) if "://" in location else LocalStorage(location)


def storage_for(setting: str) -> FileStorage:
    """The storage a setting names (`REPORTS_DIR`, `EXPORTS_DIR`, `MEDIA_STORAGE_URL`)."""
    return storage_at(current_app.config[setting])
