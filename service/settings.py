"""Settings (配置): one typed object, read from the environment (prefix ``PINGAN_``) once.

No other module reads the environment. The secret key that signs sheet codes is never a fixed
default: unless ``PINGAN_SECRET_KEY`` is set, a random key is generated on first use and kept in
``<data_dir>/secret.key`` (mode 0600), so every installation signs with its own key.
"""

from __future__ import annotations

import getpass
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.errors import ConfigError

MIN_SECRET_LENGTH = 32


def _default_actor() -> str:
    """Return the login name of the person running the command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Settings(BaseSettings):
    """All of pingan's settings, validated once."""

    model_config = SettingsConfigDict(env_prefix="PINGAN_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="数据目录：数据库、密钥、扫描件与输出")
    database_url: str | None = Field(default=None, description="数据库地址；默认 data_dir 下的 SQLite")
    secret_key: SecretStr | None = Field(default=None, description="签名表格二维码的密钥；默认首次运行时生成")
    ocr_engine: Literal["tesseract", "rapidocr"] = Field(
        default="rapidocr", description="文字识别引擎（手写建议、印制姓名核对）"
    )
    actor: str = Field(default_factory=_default_actor, description="审计日志中记录的操作人")
    tool_timeout: float = Field(default=120.0, gt=0, description="外部程序超时（秒）")
    max_roster_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="花名册文件大小上限")
    holiday_file: Path | None = Field(
        default=None, description="补充的节假日文件：每行“2027-02-08 休”或“2027-02-20 班”"
    )
    doc_header: str = Field(
        default="{unit}妇女联合会文件", description="公文版头（发文机关标志），{unit} 为发文单位名称"
    )
    doc_issuer: str = Field(default="{unit}妇女联合会", description="公文署名（发文机关）")
    doc_recipients: str = Field(default="各村（社区）妇联、党组织", description="命名决定的主送机关")
    doc_cc: str = Field(default="{district}妇联", description="版记中的抄送机关，{district} 为本区名称")
    doc_printer: str = Field(default="{unit}妇女联合会", description="版记中的印发机关")
    plaque_name: str = Field(default="平安家庭示范户", description="授牌名单上的牌匾名称")
    plaque_issuer: str = Field(
        default="{district}“平安家庭”创建工作领导小组", description="授牌名单上的授牌单位"
    )
    notice_contact: str = Field(
        default="可在公示期内以书面、电话或当面方式向{unit}妇联反映",
        description="公示中如何提出异议（{unit} 为公示单位所属乡镇（街道））",
    )
    cookie_secure: bool = Field(
        default=False, description="会话 Cookie 只经 HTTPS 发送（放在 HTTPS 反向代理之后时打开）"
    )
    max_roster_rows: int = Field(default=200_000, gt=0, description="花名册行数上限")
    jobs: Literal["local", "celery"] = Field(
        default="local",
        description="逐页识读、逐村印制在哪里运行：本机进程池，或 Celery 工作进程（可多台机器）",
    )
    broker_url: str = Field(default="redis://127.0.0.1:6379/0", description="Celery 的消息队列（Redis）地址")
    celery_visibility_timeout: int = Field(
        default=300, ge=5, description="工作进程失联多少秒后，其未完成的任务交给其他工作进程"
    )
    storage: Literal["local", "s3"] = Field(
        default="local", description="扫描件、切图与输出文件存放处：数据目录或对象存储"
    )
    s3_endpoint: str | None = Field(default=None, description="S3 兼容对象存储的地址（如 MinIO）")
    s3_bucket: str | None = Field(default=None, description="对象存储桶名")
    s3_prefix: str = Field(default="pingan", description="对象键的前缀")
    s3_access_key: str | None = Field(default=None, description="对象存储访问密钥 ID")
    s3_secret_key: SecretStr | None = Field(default=None, description="对象存储访问密钥")
    s3_region: str = Field(default="us-east-1", description="对象存储区域")
    max_upload_bytes: int = Field(
        default=300 * 1024 * 1024, gt=0, description="网页或接口上传的单个文件大小上限"
    )
    max_request_bytes: int = Field(
        default=1024 * 1024 * 1024, gt=0, description="一次上传请求的总大小上限（多个文件合计）"
    )
    max_upload_files: int = Field(default=200, gt=0, description="一次上传的文件数上限")
    job_threads: int = Field(default=1, ge=1, le=16, description="服务中同时运行的后台任务数")
    job_workers: int | None = Field(
        default=None, ge=1, le=64, description="每个后台任务识读、印制所用的进程数；默认每个 CPU 核一个"
    )

    @field_validator("secret_key")
    @classmethod
    def _secret_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"PINGAN_SECRET_KEY 至少需要 {MIN_SECRET_LENGTH} 个字符")
        return value

    @property
    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to an embedded SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pingan.db').resolve()}"

    def signing_key(self) -> bytes:
        """Return the installation's secret key, generating and storing it on first use."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret.key"
        if path.exists():
            key = path.read_text(encoding="ascii").strip()
            if len(key) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    f"密钥文件 {path} 内容过短或已损坏。",
                    hint="如无已印发的表格，可删除该文件后重新运行；否则请从备份恢复。",
                )
            return key.encode()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
        return key.encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings, read from the environment once per process."""
    try:
        return Settings()
    except ValueError as exc:
        raise ConfigError(f"配置有误：{exc}", hint="请检查以 PINGAN_ 开头的环境变量。") from exc
