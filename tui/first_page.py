"""The job list's first page, asked for as soon as the session is confirmed at start-up.

The server (another process) prepares it while this process is still importing the dashboard, and the
dashboard's first frame can show the rows instead of "Loading projects…" then the rows. Nothing is cached:
the page is the server's answer to a request sent a few milliseconds before the dashboard would send it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.protocols import JobsClient
    from tui.services.records import JobSummary

Page = tuple[list["JobSummary"], int]  # (every job so far, total): what `job_summary_pages` yields


class FirstPage:
    """`client.job_summary_pages()` started now; `pages()` yields the same pages (the first one's error,
    if any, raised there, where the dashboard reports list errors)."""

    def __init__(self, client: JobsClient) -> None:
        self._pages: AsyncIterator[Page] | None = None
        self.task: asyncio.Task[Page] = asyncio.ensure_future(self._first(client))

    async def _first(self, client: JobsClient) -> Page:
        self._pages = client.job_summary_pages()
        return await anext(self._pages)

    def page(self) -> Page | None:
        """The first page if it has arrived (None while in flight, or if it failed: `pages()` raises)."""
        if self.task.done() and not self.task.cancelled() and self.task.exception() is None:
            return self.task.result()
        return None

    async def pages(self) -> AsyncIterator[Page]:
        try:
            yield await self.task
            if self._pages is not None:
                async for page in self._pages:
                    yield page
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Stop asking (the session was refused, or the app left before the dashboard read the list)."""
        if not self.task.done():
            self.task.cancel()
        await asyncio.wait([self.task])
        if not self.task.cancelled():
            self.task.exception()  # read: its error was for the dashboard, which never came
        pages, self._pages = self._pages, None
        if pages is not None and hasattr(pages, "aclose"):
            await pages.aclose()
