"""Demo of the HTTP service: start ``pingan serve``, print forms and upload a scan as jobs, stop it.

Usage: ``python scripts/demo_service.py TOKEN OUT_DIR SCAN`` with ``PINGAN_DATA_DIR`` set.
Talks to the service over real HTTP with the standard library only, as a script of an office would.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _call(url: str, token: str, body: bytes | None = None, kind: str = "application/json") -> Any:
    request = urllib.request.Request(url, data=body, headers={"Authorization": f"Bearer {token}"})
    if body is not None:
        request.add_header("Content-Type", kind)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        problem = json.loads(exc.read())
        sys.exit(f"接口返回 {exc.code}：{problem['message']}（{problem.get('hint') or ''}）")


def _multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{urllib.parse.quote(path.name)}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return (
        head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def _follow(base: str, token: str, job: dict[str, Any]) -> dict[str, Any]:
    while job["state"] in ("queued", "running"):
        shown = f"{job['done']}/{job['total']} {job['unit_word']}" if job["total"] else ""
        stage = job["stage"] if job["stage"] != job["state_label"] else ""
        print(f"  任务 {job['id'][:8]}：{job['state_label']} {stage} {shown}".rstrip(), flush=True)
        time.sleep(1)
        job = _call(f"{base}/api/v1/jobs/{job['id']}", token)
    print(f"  任务 {job['id'][:8]}：{job['state_label']}，用时 {job['seconds']} 秒")
    for line in job["summary"]:
        print(f"    {line}")
    if job["error"]:
        sys.exit(f"任务失败：{job['error']}（{job['hint']}）")
    return job


def main() -> None:
    """Run the demo against a freshly started service."""
    token, out, scan = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as answer:
                    health = json.loads(answer.read())
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("pingan serve 没有启动，请运行 pingan doctor 检查。")
        print(f"服务已启动：{base}；数据库为最新版本：{'是' if health['database_current'] else '否'}")
        for tool in health["tools"]:
            print(f"  {tool['name']}：{tool['version'] if tool['found'] else '未找到'}")

        print("通过接口印制 南关村 5 份空白评分表（后台任务）：")
        asked = {"form": "score", "year": 2026, "village": "南关村", "blank": 5}
        job = _follow(base, token, _call(f"{base}/api/v1/forms", token, json.dumps(asked).encode()))
        out.mkdir(parents=True, exist_ok=True)
        for item in job["files"]:
            request = urllib.request.Request(base + item["url"], headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=60) as answer:
                (out / Path(item["name"]).name).write_bytes(answer.read())
            print(f"  已下载：{out / Path(item['name']).name}")

        print(f"通过接口上传扫描件 {scan.name}（后台任务；此前已入库的页不会重复计算）：")
        body, kind = _multipart(scan)
        _follow(base, token, _call(f"{base}/api/v1/scans", token, body, kind))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("服务已停止。")


if __name__ == "__main__":
    main()
