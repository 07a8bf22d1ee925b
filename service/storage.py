"""Shared storage (存储): where scans, crops and outputs are kept, behind one small interface.

The default is a folder (the data folder, or a network share mounted on every machine). For many
machines without a shared folder, an S3-compatible object store (MinIO, Ceph, a cloud bucket) keeps
the same keys; a machine that needs a file fetches it once into its local cache. Keys are relative
paths such as ``scans/ab/ab12….pdf``; callers never build paths into the store themselves.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Protocol

from service.errors import ConfigError, NotFound
from service.settings import Settings


class Storage(Protocol):
    """Keeps files by key."""

    def put_file(self, key: str, source: Path) -> None:
        """Store a local file under ``key`` (replacing nothing that is already there)."""

    def fetch(self, key: str) -> Path:
        """Return a local path holding the file stored under ``key``."""

    def exists(self, key: str) -> bool:
        """Whether something is stored under ``key``."""


def _check_key(key: str) -> str:
    parts = Path(key).parts
    if not key or Path(key).is_absolute() or ".." in parts:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files in a folder (the data folder by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put_file(self, key: str, source: Path) -> None:
        """Copy the file in, unless it is already there."""
        target = self.root / _check_key(key)
        if target.exists() or target.resolve() == source.resolve():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(source, partial)
        partial.replace(target)

    def fetch(self, key: str) -> Path:
        """Return the file's path in the folder."""
        path = self.root / _check_key(key)
        if not path.exists():
            raise NotFound(f"存储中没有 {key}。", hint="文件可能已被移走；请检查数据目录。")
        return path

    def exists(self, key: str) -> bool:
        """Whether the file is in the folder."""
        return (self.root / _check_key(key)).exists()


class S3Storage:
    """Objects in an S3-compatible bucket, with a local cache of what this machine has fetched."""

    def __init__(self, client: Any, bucket: str, prefix: str, cache: Path) -> None:
        self.client, self.bucket, self.prefix, self.cache = client, bucket, prefix.strip("/"), cache

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{_check_key(key)}" if self.prefix else _check_key(key)

    def put_file(self, key: str, source: Path) -> None:
        """Upload the file unless an object is already stored under the key."""
        if self.exists(key):
            return
        self.client.upload_file(str(source), self.bucket, self._name(key))

    def fetch(self, key: str) -> Path:
        """Download the object into the cache once and return the cached file."""
        target = self.cache / _check_key(key)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        try:
            self.client.download_file(self.bucket, self._name(key), str(partial))
        except Exception as exc:  # botocore raises ClientError with the status inside
            partial.unlink(missing_ok=True)
            raise NotFound(
                f"对象存储中没有 {key}（{exc}）。", hint="请检查 PINGAN_S3_BUCKET 与存储服务。"
            ) from exc
        partial.replace(target)
        return target

    def exists(self, key: str) -> bool:
        """Whether an object is stored under the key."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception:
            return False
        return True


def storage_for(settings: Settings) -> Storage:
    """Return the configured storage: the data folder, or the S3-compatible bucket."""
    if settings.storage == "local":
        return LocalStorage(settings.data_dir)
    try:
        import boto3
    except ImportError as exc:
        raise ConfigError("使用对象存储需要 boto3。", hint="请运行 pip install 'pingan[scale]'。") from exc
    if not settings.s3_bucket:
        raise ConfigError("PINGAN_STORAGE=s3 时须设置 PINGAN_S3_BUCKET。")
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint,
        aws_access_key_id=settings.s3_access_key,
        aws_secret_access_key=settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else None,
        region_name=settings.s3_region,
    )
    return S3Storage(client, settings.s3_bucket, settings.s3_prefix, settings.data_dir / "cache")
