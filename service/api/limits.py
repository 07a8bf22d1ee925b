"""Request size limit (请求大小上限): refuse a body past the limit before it fills the disk.

Starlette spools multipart uploads to temporary files as they arrive; this middleware counts the
bytes on the way in and answers 413 as soon as the total passes the limit, whether or not the
client sent a ``Content-Length``.
"""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """Raised inside the app's receive channel when a body passes the limit."""


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of request body."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "code": "too_large",
                "message": f"上传内容超过上限 {self.limit // 2**20} MB，未接收。",
                "hint": "请分批上传，或把大文件拆分后再上传。",
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        exceeded = refused = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal refused
            if not exceeded:
                await send(message)
            elif not refused:  # whatever the app made of the cut-off body, the answer is 413
                refused = True
                await self._refuse(send)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted, watched)
        if exceeded and not refused:
            await self._refuse(send)

    def __repr__(self) -> str:
        return f"BodyLimit(limit={self.limit})"
