"""The round trips of a start: the server's info, the saved session's check and the list's first page.

`run_tui` begins them as soon as it has a client, before Textual is imported: the server answers while this
process imports Textual in a thread (the round trips no longer wait for ~250 ms of imports), and the app's
boot reads the answers. Apps made without them (tests, the demo) begin them at boot. All three travel at
once: the page goes with the saved tokens beside the check and is dropped if the session is refused.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from tui.first_page import FirstPage
from tui.services import ServiceError

if TYPE_CHECKING:
    from tui.protocols import Client
    from tui.services import ServerInfo, User


async def ask_server_info(client: Client) -> ServerInfo | ServiceError:
    """The server's /api/meta/, or the error (not raised) if it could not be read."""
    try:
        return await client.server_info()
    except ServiceError as err:
        return err


class StartRequests:
    """Each answer is kept, never raised: a `ServiceError` is the answer when a request failed (the boot
    says so on the login form); `session` is None when there is no saved session to restore."""

    def __init__(self, client: Client, ask_info: bool = True) -> None:
        self.first_page: FirstPage | None = None  # asked once the session is restored
        self.info: asyncio.Task[ServerInfo | ServiceError] | None = (
            asyncio.ensure_future(ask_server_info(client)) if ask_info else None)
        self.session: asyncio.Task[User | ServiceError | None] = asyncio.ensure_future(self._session(client))

    async def _session(self, client: Client) -> User | ServiceError | None:
        """The session, and the first page asked with the same saved tokens at the same time (one round
        trip, not two); the page is dropped if the server refuses the session."""
        def ask_first_page() -> None:
            self.first_page = FirstPage(client)

        try:
            user = await client.restore_session(meanwhile=ask_first_page)
        except ServiceError as err:
            await self._drop_first_page()
            return err
        if user is None:
            await self._drop_first_page()
        return user

    async def _drop_first_page(self) -> None:
        page, self.first_page = self.first_page, None
        if page is not None:
            await page.aclose()

    async def aclose(self) -> None:
        """Stop asking (the app left before its boot read the answers)."""
        tasks = [task for task in (self.info, self.session) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        for task in tasks:
            if not task.cancelled():
                task.exception()  # read: nobody else will
        await self._drop_first_page()
