"""File storage: what is stored comes back unchanged, under a key no user can influence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask

from core.config import Settings
from core.storage import (
    InvalidStorageKey,
    LocalDiskStorage,
    StorageBackend,
    StorageRegistry,
    StoredFile,
    get_storage,
)


def test_stored_bytes_come_back_unchanged_with_their_sha256(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)

    stored = storage.store(b"%PDF-1.7 kvitto", suffix=".pdf")

    assert storage.read(stored.key) == b"%PDF-1.7 kvitto"
    assert stored.sha256 == hashlib.sha256(b"%PDF-1.7 kvitto").hexdigest() == storage.sha256(stored.key)
    assert stored.size == len(b"%PDF-1.7 kvitto")
    assert stored.key.endswith(".pdf")
    assert storage.exists(stored.key)


def test_each_stored_file_gets_its_own_key_even_for_the_same_content(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)

    first, second = storage.store(b"same"), storage.store(b"same")

    assert first.key != second.key


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "2026/01/../../secret",
        "2026/01/kvitto.pdf",
        "",
        "2026/01/" + "a" * 32 + "/x",
    ],
)
def test_a_key_the_backend_did_not_make_is_refused_before_touching_the_disk(tmp_path: Path, key: str) -> None:
    storage = LocalDiskStorage(tmp_path / "files")

    with pytest.raises(InvalidStorageKey):
        storage.read(key)
    with pytest.raises(InvalidStorageKey):
        storage.exists(key)
    with pytest.raises(InvalidStorageKey):
        storage.delete(key)


@pytest.mark.parametrize("suffix", ["/../x", ".PDF", "pdf", ".toolongsuffix", "../.pdf"])
def test_only_a_plain_lowercase_extension_may_be_added_to_a_key(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(ValueError, match="suffix"):
        LocalDiskStorage(tmp_path).store(b"x", suffix=suffix)


def test_a_missing_file_is_reported_as_missing(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)

    with pytest.raises(FileNotFoundError):
        storage.read("2026/01/" + "0" * 32)
    assert not storage.exists("2026/01/" + "0" * 32)


def test_a_deleted_file_is_gone_and_deleting_it_again_is_no_error(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)
    kept, removed = storage.store(b"kept"), storage.store(b"removed", suffix=".pdf")

    storage.delete(removed.key)
    storage.delete(removed.key)
    storage.delete("2026/01/" + "0" * 32)  # never stored

    assert not storage.exists(removed.key)
    with pytest.raises(FileNotFoundError):
        storage.read(removed.key)
    assert storage.read(kept.key) == b"kept"


def test_deleting_never_reaches_outside_the_storage_directory(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / ("a" * 32)
    victim.write_bytes(b"not Kanal's")
    root = tmp_path / "files"
    (root / "2026").mkdir(parents=True)
    (root / "2026" / "01").symlink_to(outside, target_is_directory=True)
    storage = LocalDiskStorage(root)

    with pytest.raises(InvalidStorageKey):
        storage.delete("2026/01/" + "a" * 32)

    assert victim.read_bytes() == b"not Kanal's"


def test_no_temporary_files_are_left_behind_after_storing(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)

    stored = storage.store(b"data")

    assert [path.name for path in (tmp_path / stored.key).parent.iterdir()] == [Path(stored.key).name]


def test_the_app_stores_files_under_its_storage_directory(app: Flask, environ: dict[str, str]) -> None:
    stored = get_storage().store(b"hello")

    assert (Path(environ["KANAL_STORAGE_DIR"]) / stored.key).read_bytes() == b"hello"
    assert get_storage() is get_storage()  # built once per app


def test_a_registry_builds_the_backend_registered_under_a_name(app: Flask) -> None:
    registry = StorageRegistry()

    class MemoryStorage(LocalDiskStorage):
        pass

    @registry.register("memory")
    def build(settings: Settings) -> StorageBackend:
        return MemoryStorage(Path(settings.storage_dir))

    settings: Settings = app.extensions["kanal.settings"]
    assert isinstance(registry.create("memory", settings), MemoryStorage)
    with pytest.raises(LookupError, match="memory"):
        registry.create("s3", settings)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("memory")(lambda settings: MemoryStorage(Path(settings.storage_dir)))


def test_stored_file_is_a_plain_value() -> None:
    assert StoredFile("k", "s", 1) == StoredFile("k", "s", 1)
