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

    from service.api.app import create_app

    app = create_app(settings())
    console.print(f"接口服务：http://{host}:{port}/api/v1/docs （按 Ctrl+C 停止）")
    uvicorn.run(app, host=host, port=port, log_level="info")
