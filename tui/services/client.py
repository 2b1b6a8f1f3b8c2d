"""ApiClient: one typed async method per REST endpoint of docs/api.md, on one `httpx.AsyncClient`.

Raises only `ServiceError` subclasses. The session (tokens, refresh, the token file) belongs to
`AuthSession`, the `httpx.Auth` of the HTTP client: authenticated calls just send.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

import httpx

from tui.bulk import gc_paused
from tui.services import jwt, records
from tui.services.errors import AuthRequired, ServerError, ServiceError
from tui.services.http import decode_json, error_for, normalize_url, transport_error
from tui.services.list_walk import ListWalk, drop, drop_walk
from tui.services.records import JobSummary, JobSummaryPage, LoginAnswer, ServerInfo, Session, TokenPair, User
from tui.services.session import AuthSession
from tui.services.tokens import StoredTokens, TokenStore

if TYPE_CHECKING:  # models.py (pydantic) is imported by the methods that read its shapes: a start reads
    from tui.services.models import App, AppSummary, Job, JobMessage, JobPage  # only records.py's

log = logging.getLogger(__name__)

T = TypeVar("T")
NO_BODY = (204, 205)
DEFAULT_PORTS = {"http": 80, "https": 443}


class ApiClient:
    """The TUI's only door to the server (see docs/services.md)."""

    def __init__(self, server_url: str, token_store: TokenStore | None = None, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.server_url = normalize_url(server_url)
        self.token_store = token_store if token_store is not None else TokenStore()
        self.timeout = timeout
        self.on_auth_lost: Callable[[str], None] | None = None
        self.user: User | None = None
        self._auth = AuthSession(self.server_url, self.token_store, self._refresh_call, self._lost)
        self._http = httpx.AsyncClient(base_url=f"{self.server_url}/api/", timeout=timeout,
                                       transport=transport, follow_redirects=False, auth=self._auth)

    def __repr__(self) -> str:
        return f"ApiClient({self.server_url!r}, user={self._auth.username!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # ----- session ----------------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self._auth.tokens is not None

    @property
    def session(self) -> Session | None:
        tokens = self._auth.tokens
        if tokens is None:
            return None
        exp = jwt.expires_at(tokens.access)
        return Session(server_url=self.server_url, username=tokens.username,
                       access_expires_at=datetime.fromtimestamp(exp, UTC) if exp is not None else None)

    def _lost(self, reason: str) -> None:
        self.user = None
        if self.on_auth_lost is not None:
            self.on_auth_lost(reason)

    async def _begin(self, answer: LoginAnswer) -> User:
        await self._auth.start(StoredTokens(self.server_url, answer.user.username, answer.access,
                                            answer.refresh))
        self.user = answer.user
        return answer.user

    async def server_info(self) -> ServerInfo:
        """GET meta/; a URL that is not an appbuilder server gets a message saying so."""
        not_ours = f"{self.server_url} is not an appbuilder server"
        response = await self._send("GET", "meta/", auth=False)
        status = response.status_code
        if status >= 500:
            raise error_for(response)
        if not response.is_success:
            raise ServerError(f"{not_ours} (GET /api/meta/ answered HTTP {status}).", status)
        try:
            body = decode_json(response)
        except ServerError as err:
            raise ServerError(f"{not_ours} ({err.message.removeprefix('The server ').rstrip('.')}).",
                              status) from None
        if not isinstance(body, dict) or not {"name", "version"} <= body.keys():
            raise ServerError(f"{not_ours} (its /api/meta/ answer is not appbuilder's).", status)
        return self._parse(ServerInfo, body, "GET /api/meta/")

    async def register(self, username: str, password: str, email: str = "") -> User:
        body = {"username": username, "password": password, **({"email": email} if email else {})}
        answer = await self._call(LoginAnswer, "POST", "auth/register/", json=body, auth=False)
        return await self._begin(answer)

    async def login(self, username: str, password: str) -> User:
        try:
            answer = await self._call(LoginAnswer, "POST", "auth/login/",
                                      json={"username": username, "password": password}, auth=False)
        except AuthRequired:
            raise AuthRequired("Wrong username or password.") from None
        return await self._begin(answer)

    async def logout(self) -> None:
        """Blacklist the refresh token on the server (best effort) and delete the saved session."""
        try:
            await self._auth.end(self._blacklist)
        finally:
            self.user = None

    async def _blacklist(self, stored: StoredTokens) -> None:
        """POST auth/logout/ with the newest refresh token; failures only logged (the file goes anyway)."""
        try:
            access, refresh = stored.access, stored.refresh
            if jwt.needs_refresh(access):
                access, refresh = await self._refresh_call(refresh)
            response = await self._send("POST", "auth/logout/", json={"refresh": refresh}, access=access)
            log.debug("logout answered %s", response.status_code)
        except ServiceError as err:
            log.debug("logout could not blacklist the token: %s", err.message)

    async def restore_session(self, meanwhile: Callable[[], object] | None = None) -> User | None:
        """Resume the saved session for this server; None if there is none or it is no longer valid.

        `meanwhile` is called once the saved tokens are loaded, before the server has confirmed them: a
        request it sends travels with the check instead of after it (start-up's first page).
        An unreadable session file raises SessionFileUnreadable (it is set aside, the message says where)."""
        if not await self._auth.restore():
            return None
        if meanwhile is not None:
            meanwhile()
        try:
            user = await self.me()
        except AuthRequired:
            self._auth.clear()
            return None
        except ServiceError:
            self._auth.clear()
            raise
        await self._auth.remember()
        return user

    async def me(self) -> User:
        self.user = await self._call(User, "GET", "auth/me/")
        return self.user

    async def refresh(self) -> None:
        await self._auth.refresh()

    async def access_token(self) -> str:
        """A fresh access token (for the socket only)."""
        return await self._auth.fresh_access()

    async def list_users(self) -> list[User]:
        return await self._call(list[User], "GET", "auth/users/")

    async def _refresh_call(self, refresh: str) -> tuple[str, str]:
        pair = await self._call(TokenPair, "POST", "auth/token/refresh/", json={"refresh": refresh},
                                auth=False)
        return pair.access, pair.refresh

    # ----- jobs -------------------------------------------------------------------------------------
    async def list_jobs(self, search: str | None = None, status: str | None = None) -> list[Job]:
        from tui.services.models import Job

        body = await self._request("GET", "jobs/", params=query(search=search, status=status))
        if isinstance(body, dict) and "results" in body:  # a server that always paginates
            body = body["results"]
        return self._parse(list[Job], body, "GET /api/jobs/")

    async def job_pages(self, first: int = 200, size: int = 1000) -> AsyncIterator[tuple[list[Job], int]]:
        """Every job, newest first, a page at a time: yields (all jobs so far, total) after each page.

        A small first page shows something at once; a job that moved between pages is kept once."""
        page = await self.list_jobs_page(limit=first)
        jobs, total = list(page.results), page.count
        yield jobs, total
        seen = {job.id for job in jobs}
        offset = len(page.results)
        while offset < total:
            page = await self.list_jobs_page(limit=size, offset=offset)
            if not page.results:
                break
            offset += len(page.results)
            total = page.count
            jobs.extend(job for job in page.results if job.id not in seen)
            seen.update(job.id for job in page.results)
            yield jobs, total

    async def list_jobs_page(self, limit: int, offset: int = 0, search: str | None = None,
                             status: str | None = None, ordering: str | None = None) -> JobPage:
        from tui.services.models import JobPage

        params = query(limit=limit, offset=offset, search=search, status=status, ordering=ordering)
        return await self._call(JobPage, "GET", "jobs/", params=params)

    async def list_job_summaries(self, limit: int, offset: int = 0,
                                 updated_after: datetime | None = None) -> JobSummaryPage:
        """One page of list rows (`view=summary`, newest change first). With `updated_after`, a server that
        knows it returns only jobs changed later; one that does not returns the newest page (merge by id)."""
        since = updated_after.isoformat() if updated_after is not None else None
        params = query(view="summary", limit=limit, offset=offset or None, updated_after=since)
        return await self._call(JobSummaryPage, "GET", "jobs/", params=params)

    async def job_summary_pages(self, first: int = 200,
                                size: int = 1000) -> AsyncIterator[tuple[list[JobSummary], int]]:
        """Every job as a list row, a page at a time: yields (all so far, total) per page that adds rows.
        The first page is the newest changes (shown at once, with the total); the rest is read in a stable
        order by id, from both ends at once until they meet (`ListWalk`, tui/services/list_walk.py), as
        keyset pages (`pagination=cursor`, `next` followed on the same server only) or, from a server that
        ignores that, offset pages. Both ends are asked together with the newest page and read ahead, each
        page as soon as the one before it has arrived, whether or not the caller is ready for it (at
        start-up the dashboard is still being built meanwhile); they are dropped if the newest page holds
        every job. A job that arrives twice is kept once."""
        newest = self._ask(query(view="summary", limit=first))
        walk: ListWalk | None = ListWalk(self, size, (self._ask(self._rest(size, "-id")), 0, "-id"),
                                         self._ask(self._rest(size, "id")))
        try:
            body = await newest
            page = self._parse(JobSummaryPage, body, "GET /api/jobs/")
            jobs = list(page.results)
            seen = {job.id for job in jobs}
            total = page.count if page.count is not None else len(jobs)
            if page.count is None:  # a server without counts on its default list: follow its own `next`
                drop_walk(walk)
                walk = ListWalk(self, size, (self._ask_after(body, 0, size, "-id"), len(page.results), "-id"))
            elif len(jobs) >= total:
                drop_walk(walk)
                walk = None
            elif walk is not None and total <= size:  # the top's first page holds them all
                walk.drop_bottom()
            yield jobs, total
            while walk is not None:
                more = await walk.next_page()
                if more is None:
                    return
                before = len(jobs)
                jobs.extend(job for job in more.results if job.id not in seen)
                seen.update(job.id for job in more.results)
                if more.count is None:
                    total = max(total, len(jobs))
                if len(jobs) > before:
                    yield jobs, total
        finally:
            drop(newest)
            drop_walk(walk)

    @staticmethod
    def _rest(size: int, ordering: str) -> dict[str, Any]:
        """The first keyset page of the list by id, from the top (`-id`) or the bottom (`id`)."""
        return query(view="summary", limit=size, ordering=ordering, pagination="cursor")

    def _ask(self, target: str | dict[str, Any]) -> asyncio.Task[Any]:
        """Send one list request now (its decoded body later)."""
        if isinstance(target, str):
            return asyncio.ensure_future(self._request("GET", target))
        return asyncio.ensure_future(self._request("GET", "jobs/", params=target))

    def _ask_after(self, body: Any, offset: int, size: int, ordering: str) -> asyncio.Task[Any] | None:
        """The request for the page after `body` (a keyset page's `next` link as given, same server only;
        or the next offset page in the walk's `ordering`), or None after the last page or on a malformed
        one."""
        if not isinstance(body, dict) or not body.get("results"):
            return None
        count, link = body.get("count"), body.get("next")
        if count is None:
            return self._ask(link) if isinstance(link, str) and self.same_origin(link) else None
        if isinstance(count, int) and offset < count:
            return self._ask(query(view="summary", limit=size, offset=offset, ordering=ordering))
        return None

    async def changed_jobs(self, since: datetime, limit: int = 100) -> list[JobSummary]:
        """Jobs changed after `since` (cheap polling): pages of `updated_after=` until one holds a job not
        newer than `since` (a server that ignores the parameter: the rest is older) or comes back short."""
        changed: list[JobSummary] = []
        offset = 0
        while True:
            page = await self.list_job_summaries(limit=limit, offset=offset, updated_after=since)
            newer = [job for job in page.results if job.updated_at > since]
            changed.extend(newer)
            offset += len(page.results)
            if len(newer) < len(page.results) or len(page.results) < limit:
                return changed

    def same_origin(self, url: str) -> bool:
        """A `next` link is followed only to the server the session belongs to (scheme, host and port)."""
        def origin(address: str) -> tuple[str, str | None, int | None]:
            parts = urlsplit(address)
            try:
                port = parts.port or DEFAULT_PORTS.get(parts.scheme)
            except ValueError:  # a port that is not a number
                return ("", None, None)
            return parts.scheme, parts.hostname, port

        return origin(url) == origin(self.server_url)

    async def create_job(self, prompt: str) -> Job:
        from tui.services.models import Job

        return await self._call(Job, "POST", "jobs/", json={"initial_prompt": prompt})

    async def get_job(self, job_id: int) -> Job:
        from tui.services.models import Job

        return await self._call(Job, "GET", f"jobs/{int(job_id)}/")

    async def update_prompt(self, job_id: int, prompt: str) -> Job:
        from tui.services.models import Job

        return await self._call(Job, "PATCH", f"jobs/{int(job_id)}/", json={"initial_prompt": prompt})

    async def delete_job(self, job_id: int) -> None:
        await self._request("DELETE", f"jobs/{int(job_id)}/")

    async def start_build(self, job_id: int) -> Job:
        from tui.services.models import Job

        return await self._call(Job, "POST", f"jobs/{int(job_id)}/start/")

    async def retry_job(self, job_id: int) -> Job:
        """Resume a failed build from where it stopped (409 Conflict unless the job is failed)."""
        from tui.services.models import Job

        return await self._call(Job, "POST", f"jobs/{int(job_id)}/retry/")

    async def purge_jobs(self) -> int:
        from tui.services.models import Purged

        return (await self._call(Purged, "DELETE", "jobs/purge/")).deleted

    # ----- messages ---------------------------------------------------------------------------------
    async def list_messages(self, job_id: int, after: int | None = None) -> list[JobMessage]:
        from tui.services.models import JobMessage

        return await self._call(list[JobMessage], "GET", "job-messages/",
                                params=query(job_id=int(job_id), after=after))

    async def get_message(self, message_id: int) -> JobMessage:
        from tui.services.models import JobMessage

        return await self._call(JobMessage, "GET", f"job-messages/{int(message_id)}/")

    async def create_message(self, job_id: int, content: str, role: str = "user",
                             kind: str = "chat") -> JobMessage:
        from tui.services.models import JobMessage

        body = {"job": int(job_id), "content": content, "role": role, "kind": kind}
        return await self._call(JobMessage, "POST", "job-messages/", json=body)

    async def delete_message(self, message_id: int) -> None:
        await self._request("DELETE", f"job-messages/{int(message_id)}/")

    # ----- apps -------------------------------------------------------------------------------------
    async def list_apps(self) -> list[AppSummary]:
        from tui.services.models import AppSummary

        return await self._call(list[AppSummary], "GET", "apps/")

    async def get_app(self, app_id: int) -> App:
        from tui.services.models import App

        return await self._call(App, "GET", f"apps/{int(app_id)}/")

    async def app_for_job(self, job_id: int) -> App:
        from tui.services.models import App

        return await self._call(App, "GET", f"apps/by-job/{int(job_id)}/")

    def ws_url(self, job_id: int) -> str:
        """The job's socket URL (no token in it: the socket authenticates itself)."""
        base = self.server_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        return f"{base}/ws/jobs/{int(job_id)}/"

    # ----- plumbing ---------------------------------------------------------------------------------
    async def _send(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                    auth: bool = True, access: str | None = None) -> httpx.Response:
        """One request; the session authenticates it unless `auth` is False or an `access` token is given."""
        headers = {"Authorization": f"Bearer {access}"} if access else {}
        session = httpx.USE_CLIENT_DEFAULT if auth and not access else None
        try:
            response = await self._http.request(method, path, json=json, params=params, headers=headers,
                                                auth=session)
        except httpx.HTTPError as err:
            raise transport_error(err, self.server_url, self.timeout) from None
        log.debug("%s /api/%s -> %s", method, path, response.status_code)
        return response

    async def _request(self, method: str, path: str, *, json: Any = None,
                       params: dict[str, Any] | None = None, auth: bool = True) -> Any:
        """Send (the session refreshes once on a 401); the decoded JSON body (None for 204/205)."""
        response = await self._send(method, path, json=json, params=params, auth=auth)
        if not response.is_success:
            raise error_for(response, self._secrets())
        if response.status_code in NO_BODY:
            return None
        with gc_paused():  # a 10k-job list is ~1M objects
            return decode_json(response)

    async def _call(self, shape: type[T], method: str, path: str, **kwargs: Any) -> T:
        return self._parse(shape, await self._request(method, path, **kwargs), f"{method} /api/{path}")

    def _secrets(self) -> tuple[str, ...]:
        tokens = self._auth.tokens
        return (tokens.access, tokens.refresh) if tokens else ()

    @staticmethod
    def _parse(shape: type[T], body: Any, what: str) -> T:
        """Read `body` as `shape`; a mismatch is the server's fault (details could hold secrets)."""
        try:
            with gc_paused():  # a 10k-job list builds ~1M objects
                return cast(T, reader(cast(Any, shape))(body))
        except ValueError:  # pydantic's ValidationError is one
            raise ServerError(f"The server's answer to {what} did not have the expected shape.") from None


@functools.cache
def reader(shape: Any) -> Callable[[Any], Any]:
    """A record (or a list of them) is read by records.py; other shapes by pydantic, loaded on first use."""
    try:
        return records.reader_for(shape)
    except TypeError:  # not a shape records.py reads
        pass
    from pydantic import TypeAdapter

    return TypeAdapter(shape).validate_python


def query(**params: Any) -> dict[str, Any]:
    """Query parameters without the unset ones."""
    return {name: value for name, value in params.items() if value is not None and value != ""}
