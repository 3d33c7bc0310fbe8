"""Where rendered files live: a tiny interface (save, read, delete by key) with a local-folder backend,
so object storage can replace it without touching the services that use it."""

import os
from typing import Protocol

from flask import current_app


class FileStorage(Protocol):
    def save(self, key: str, data: bytes) -> str: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one folder; a key is a plain file name, never a path."""

    def __init__(self, root: str):
        self.root = root

    def _path(self, key: str) -> str:
        if not key or os.path.basename(key) != key or key.startswith("."):
            raise ValueError(f"not a storage key: {key!r}")
        return os.path.join(self.root, key)

    def save(self, key: str, data: bytes) -> str:
        """Write atomically (temporary file, then rename): a reader never sees half a file."""
        os.makedirs(self.root, exist_ok=True)
        path = self._path(key)
        partial = f"{path}.{os.getpid()}.part"
        with open(partial, "wb") as file:
            file.write(data)
        os.replace(partial, path)
        return key

    def read(self, key: str) -> bytes:
        with open(self._path(key), "rb") as file:
            return file.read()

    def delete(self, key: str) -> None:
        try:
            os.remove(self._path(key))
        except FileNotFoundError:
            pass


def storage_for(setting: str) -> FileStorage:
    """The storage configured by a folder setting (`REPORTS_DIR`, `EXPORTS_DIR`)."""
    return LocalStorage(current_app.config[setting])
