"""File storage: a backend interface, a registry of backends, and the local-disk backend.

Kanal keeps files (sealed documents, attachments) by an opaque key that the backend makes up itself:
keys never contain any part of a user-supplied name, so no upload can choose where it lands. Callers keep the
key and the SHA-256 in their own table. Other backends (S3-compatible stores) register themselves with
`@storage.register("name")` from a `contrib/` package.
"""

from __future__ import annotations

import abc
import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from core import clock
from core.config import Settings

__all__ = [
    "DEFAULT_BACKEND",
    "InvalidStorageKey",
    "LocalDiskStorage",
    "StorageBackend",
    "StorageRegistry",
    "StoredFile",
    "get_storage",
    "register",
    "registry",
    "sha256_hex",
]

DEFAULT_BACKEND = "local"
# year/month/random: directories stay small, and an operator can find a month's files without the database.
_KEY_PATTERN = re.compile(r"\d{4}/\d{2}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?")
_SUFFIX_PATTERN = re.compile(r"\.[a-z0-9]{1,8}")


class InvalidStorageKey(ValueError):
    """A key that no backend could have made (a forged or damaged value); never resolved to a path."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_key(suffix: str = "") -> str:
    """A fresh random key; `suffix` is a fixed extension chosen by Kanal (".pdf"), never a user's file name."""
    if suffix and not _SUFFIX_PATTERN.fullmatch(suffix):
        raise ValueError(f"a storage suffix is a dot and 1 to 8 lowercase letters or digits: {suffix!r}")
    today = clock.now()
    return f"{today:%Y}/{today:%m}/{secrets.token_hex(16)}{suffix}"


def check_key(key: str) -> str:
    if not _KEY_PATTERN.fullmatch(key):
        raise InvalidStorageKey(f"not a storage key: {key!r}")
    return key


class StorageBackend(abc.ABC):
    """Where Kanal keeps files. Implementations must make `store` durable before returning the key."""

    @abc.abstractmethod
    def store(self, data: bytes, *, suffix: str = "") -> StoredFile:
        """Keep `data` under a new key and return the key with the data's SHA-256 and size."""

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary file object for reading; raises FileNotFoundError for a key that holds nothing."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove what is stored under `key`. Idempotent: a key that holds nothing (any more) is no error, so a
        purge that was interrupted can simply run again. A key the backend could not have made is refused."""

    def read(self, key: str) -> bytes:
        with self.open(key) as file:
            return file.read()

    def sha256(self, key: str) -> str:
        """The SHA-256 of what is stored now, read in chunks, to compare with the hash recorded at storing."""
        digest = hashlib.sha256()
        with self.open(key) as file:
            for chunk in iter(lambda: file.read(1 << 16), b""):
                digest.update(chunk)
        return digest.hexdigest()


class LocalDiskStorage(StorageBackend):
    """Files under one directory (KANAL_STORAGE_DIR); fine for one machine or a shared network volume."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def store(self, data: bytes, *, suffix: str = "") -> StoredFile:
        key = new_key(suffix)
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written to a temporary name and renamed, so a reader never sees half a file, even after a crash.
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return StoredFile(key=key, sha256=sha256_hex(data), size=len(data))

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        target = self._path(key)
        # The key's shape already rules out "..", but a directory swapped for a symlink must not lead a delete
        # out of the storage directory either.
        if not target.resolve().is_relative_to(self.root.resolve()):
            raise InvalidStorageKey(f"{key!r} leads outside the storage directory")
        target.unlink(missing_ok=True)


BackendFactory = Callable[[Settings], StorageBackend]


class StorageRegistry:
    """Storage backends by name, each built from the settings."""

    def __init__(self) -> None:
        self._factories: dict[str, BackendFactory] = {}

    def register(self, name: str) -> Callable[[BackendFactory], BackendFactory]:
        def decorate(factory: BackendFactory) -> BackendFactory:
            existing = self._factories.get(name)
            if existing is not None and existing is not factory:
                raise ValueError(f"a storage backend named {name!r} is already registered")
            self._factories[name] = factory
            return factory

        return decorate

    def create(self, name: str, settings: Settings) -> StorageBackend:
        try:
            factory = self._factories[name]
        except KeyError:
            raise LookupError(
                f"no storage backend named {name!r}; known: {', '.join(self.names())}"
            ) from None
        return factory(settings)

    def names(self) -> list[str]:
        return sorted(self._factories)


registry = StorageRegistry()
register = registry.register


@register("local")
def _local_disk(settings: Settings) -> StorageBackend:
    return LocalDiskStorage(Path(settings.storage_dir))


def get_storage() -> StorageBackend:
    """The application's storage backend, built once per app."""
    backend: StorageBackend | None = current_app.extensions.get("kanal.storage")
    if backend is None:
        settings: Settings = current_app.extensions["kanal.settings"]
        backend = registry.create(DEFAULT_BACKEND, settings)
        current_app.extensions["kanal.storage"] = backend
    return backend
