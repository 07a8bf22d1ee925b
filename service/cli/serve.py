"""``pingan serve``: the HTTP service (FastAPI under uvicorn) on the configured database."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.common import console, settings


def serve(
    host: Annotated[str, typer.Option(help="监听地址；对外服务请放在反向代理之后")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """启动接口服务（/api/v1，文档在 /api/v1/docs，健康检查在 /health）。"""
    import uvicorn

    from service.server import create_app

    app = create_app(settings())
    console.print(f"接口服务：http://{host}:{port}/api/v1/docs （按 Ctrl+C 停止）")
    uvicorn.run(app, host=host, port=port, log_level="info")


def worker(
    concurrency: Annotated[int | None, typer.Option(help="同时处理的任务数（默认每个 CPU 核一个）")] = None,
    name: Annotated[str | None, typer.Option(help="工作进程名（默认 pingan@主机名）")] = None,
    pool: Annotated[str, typer.Option(help="prefork（多进程，默认）或 solo（单进程）")] = "prefork",
) -> None:
    """启动 Celery 工作进程：识读扫描页、印制表格（PINGAN_JOBS=celery 时；可在多台机器上各启动一个）。"""
    import os
    import socket

    from service.db.session import make_engine, require_current
    from service.jobs.queue import celery_app
    from service.tools.probes import run_probes

    config = settings()
    if pool not in ("prefork", "solo"):
        raise typer.BadParameter("只能是 prefork 或 solo。", param_hint="--pool")
    require_current(make_engine(config.resolved_database_url))
    missing = [p.name for p in run_probes() if not p.found]
    if missing:
        console.print(
            f"[yellow]提示：本机缺少 {'、'.join(missing)}，相关任务会失败；请运行 pingan doctor。[/]"
        )
    workers = concurrency or os.cpu_count() or 1
    node = name or f"pingan-{os.getpid()}@{socket.gethostname()}"
    console.print(f"工作进程 {node}：消息队列 {config.broker_url}，并发 {workers}（按 Ctrl+C 停止）")
    celery_app().worker_main(
        [
            "worker",
            "--loglevel=INFO",
            f"--concurrency={workers}",
            f"--pool={pool}",
            "-n",
            node,
            "--without-gossip",
            "--without-mingle",
        ]
    )
