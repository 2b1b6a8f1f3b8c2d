"""Live build of one job: stages, chat with the agent, PRD, and (dev mode) every message. Socket-driven."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static, TabbedContent, TabPane

from tui.messages import JobsChanged, OpenApp
from tui.printable import identifier_part, one_line
from tui.protocols import AppHost
from tui.screens.add_message import AddMessageScreen
from tui.screens.confirm import ask
from tui.screens.prompt_editor import PromptEditorScreen
from tui.services import (
    ApiFallbackEvent,
    AppReadyEvent,
    ChatEvent,
    ChatQueued,
    ConnectionEvent,
    ErrorEvent,
    Event,
    Job,
    JobGoneEvent,
    JobSnapshotEvent,
    NotFound,
    PrdEvent,
    ServiceError,
    StatusEvent,
    StepEvent,
    WarningEvent,
)
from tui.services.connection import ConnectionState
from tui.widgets.chat_input import ChatInput
from tui.widgets.chat_log import ChatLog
from tui.widgets.connection import FALLBACK_LABEL
from tui.widgets.feedback import go_back, report
from tui.widgets.find_bar import FindArea
from tui.widgets.key_footer import KeyFooter
from tui.widgets.message_table import MessagesPane, MessageTable, excerpt
from tui.widgets.prd_view import PrdView
from tui.widgets.stage_progress import StageProgress

if TYPE_CHECKING:
    from tui.services.socket import SocketClient


class EventSource(Protocol):
    """What the screen needs of a JobSocket."""

    def __aiter__(self) -> AsyncIterator[Event]: ...
    async def send_chat(self, text: str) -> None: ...
    async def close(self) -> None: ...


SocketFactory = Callable[["SocketClient", int, int], EventSource]  # (client, job_id, last_seen_id)

CONNECTION_LABELS = {"connecting": "◌ connecting…", "live": "● live", "reconnecting": "↻ reconnecting…",
                     "closed": "✘ offline", "offline": "✘ offline"}
CHAT_REASONS = {
    "loading": "Loading the job…",
    "prd": "Chat is closed: the agent is writing the PRD.",
    "building": "Chat is closed: the app is being built.",
    "done": "Chat is closed: the build is done.",
    "failed": "Chat is closed: the build failed.",
}
PROMPT_REASON = "The prompt can only be edited while the job is collecting requirements"
PRD_PLACEHOLDER = "*The PRD appears here once the agent has collected the requirements.*"


def default_socket(client: SocketClient, job_id: int, last_seen_id: int) -> EventSource:
    from tui.services.socket import JobSocket

    return JobSocket(client, job_id, last_seen_id=last_seen_id)


class LiveBuildScreen(Screen[None]):
    CSS_PATH = "live_build.tcss"
    AUTO_FOCUS = "#chat-log"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("i", "focus_chat", "Chat"),
        Binding("o", "open_app", "Open app"),
        Binding("g", "start_build", "Build"),
        Binding("R", "retry_build", "Retry build", show=False),
        Binding("e", "edit_prompt", "Edit prompt"),
        Binding("1", "show_tab('tab-chat')", "Chat tab", show=False),
        Binding("2", "show_tab('tab-prd')", "PRD tab", show=False),
        Binding("3", "show_tab('tab-messages')", "Messages tab", show=False),
        Binding("x", "delete_message", "Delete msg"),
        Binding("m", "add_message", "Add msg"),
    ]
    host = AppHost()

    status: reactive[str] = reactive("loading")
    connection: reactive[str] = reactive("connecting")
    gone: reactive[bool] = reactive(False)

    def __init__(self, job_id: int, socket_factory: SocketFactory | None = None) -> None:
        super().__init__()
        self.job_id = job_id
        self.socket_factory = socket_factory or default_socket
        self.socket: EventSource | None = None
        self.job: Job | None = None
        self.prd: str | None = None
        self.app_ready: tuple[int, str] | None = None
        self.last_message_id = 0
        self.chat_reason = CHAT_REASONS["loading"]
        self.socket_failed = False
        self.last_step_text = ""
        self.fallback = ""  # set once the socket follows the job through the API as well
        self.chat_log: ChatLog | None = None  # set on mount
        self.messages_pane: MessagesPane | None = None  # dev mode only

    # ----- layout -------------------------------------------------------------------------------------
    @property
    def dev_mode(self) -> bool:
        return self.host.dev_mode

    def compose(self) -> ComposeResult:
        with Vertical(id="build-header"):
            with Horizontal(id="title-row"):
                yield Static(Text(f"Job #{self.job_id}"), id="job-title")
                yield Static("loading", id="job-status")
                yield Static(CONNECTION_LABELS["connecting"], id="conn-state")
            yield StageProgress(id="stages")
            yield Static("", id="app-banner")
        with TabbedContent(id="tabs", initial="tab-chat"):
            with TabPane("Chat", id="tab-chat"):
                yield FindArea(ChatLog(id="chat-log"), id="chat-find")
                yield ChatInput(placeholder="Message the agent (enter sends, escape leaves the input)",
                                id="chat-input", disabled=True)
                yield Static(CHAT_REASONS["loading"], id="chat-reason")
            with TabPane("PRD", id="tab-prd"):
                yield FindArea(PrdView(PRD_PLACEHOLDER, id="prd-scroll"), id="prd-find")
            if self.dev_mode:
                with TabPane("Messages", id="tab-messages"):
                    yield MessagesPane(id="messages-pane")
        yield KeyFooter()

    def on_mount(self) -> None:
        # looked up once: `apply` runs for every event (1,000 a second in a flood)
        self.chat_log = self.query_one(ChatLog)
        self.messages_pane = self.query_one(MessagesPane) if self.dev_mode else None
        self.load()

    def on_screen_resume(self) -> None:
        """Back from the login screen (or any modal): pick the stream up where it stopped."""
        if self.socket_failed and not self.gone and self.is_current:
            self.follow()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("delete_message", "add_message"):
            return self.dev_mode
        if action == "show_tab" and parameters == ("tab-messages",):
            return self.dev_mode
        if action == "open_app":
            return True if self.app_ready else None
        return True

    # ----- workers ------------------------------------------------------------------------------------
    @work(exclusive=True, group="load")
    async def load(self) -> None:
        try:
            job = await self.host.client.get_job(self.job_id)
        except NotFound:
            self.gone = True
            return
        except ServiceError as err:
            report(self, err)
        else:
            self.apply_job(job)
        self.follow()

    @work(exclusive=True, group="socket")
    async def follow(self) -> None:
        socket = self.socket_factory(self.host.client, self.job_id, self.last_message_id)
        self.socket = socket
        self.socket_failed = False
        try:
            async for event in socket:
                await self.apply(event)
        except ServiceError as err:
            report(self, err)
            self.set_connection("offline")
        finally:
            await socket.close()
        # The stream ended by itself (a JobSocket ends with ConnectionEvent("closed") when the session is
        # gone, a fake may raise): a resume after logging in again picks it up. Closing it ourselves
        # cancels this worker and never gets here.
        self.socket_failed = not self.gone

    @work(group="chat")
    async def send_chat(self, text: str) -> None:
        if self.socket is None:
            self.notify("Not connected yet: try again in a moment.", severity="warning")
            return
        try:
            await self.socket.send_chat(text)
        except ServiceError as err:
            report(self, err)
            return
        chat_input = self.query_one("#chat-input", Input)
        if chat_input.value == text:
            chat_input.value = ""

    @work(exclusive=True, group="start")
    async def start_build(self) -> None:
        try:
            await self.host.client.start_build(self.job_id)
        except ServiceError as err:
            report(self, err)
            return
        self.notify("Build started.")
        self.post_message(JobsChanged(self.job_id))

    def action_retry_build(self) -> None:
        self.retry_build()

    @work(exclusive=True, group="start")
    async def retry_build(self) -> None:
        """Resume a failed build (the server answers 409, shown in words, unless it failed)."""
        try:
            await self.host.client.retry_job(self.job_id)
        except ServiceError as err:
            report(self, err)
            return
        self.notify("Build retried.")
        self.post_message(JobsChanged(self.job_id))

    async def save_prompt(self, prompt: str) -> None:
        job = await self.host.client.update_prompt(self.job_id, prompt)
        self.apply_job(job, status=False)
        self.notify("Prompt saved.")
        self.post_message(JobsChanged(self.job_id))

    @work(group="messages")
    async def delete_message(self, message_id: int) -> None:
        content = excerpt(self.query_one(MessageTable).content_of(message_id), 300)
        if not await self.confirm(f"Delete message #{message_id}?\n“{content}”" if content
                                  else f"Delete message #{message_id}?"):
            return
        try:
            await self.host.client.delete_message(message_id)
        except ServiceError as err:
            report(self, err)
            return
        self.query_one(MessagesPane).remove_message(message_id)
        self.query_one(ChatLog).remove_message(message_id)
        self.notify(f"Message #{message_id} deleted.")

    async def create_message(self, content: str, role: str) -> None:
        await self.host.client.create_message(self.job_id, content, role=role)

    async def confirm(self, question: str) -> bool:
        return await ask(self, question)

    # ----- state --------------------------------------------------------------------------------------
    def apply_job(self, job: Job, *, status: bool = True) -> None:
        self.job = job
        title = one_line(job.title or job.initial_prompt[:60])
        self.query_one("#job-title", Static).update(Text(f"#{job.id}  {title}"))
        if status:
            self.status = job.status
            self.query_one(StageProgress).load(job.stages)
            if job.status == "failed":
                self.query_one(StageProgress).job_failed()
            if job.prd:
                self.show_prd(job.prd)
            if job.app_id is not None and self.app_ready is None:
                self.set_app_ready(job.app_id, "")

    async def apply(self, event: Event) -> None:
        chat = self.chat_log or self.query_one(ChatLog)
        if self.messages_pane is not None:
            self.messages_pane.add_event(event)
        message_id = getattr(event, "message_id", None)
        if isinstance(message_id, int):
            self.last_message_id = max(self.last_message_id, message_id)
        match event:
            case ChatEvent():
                chat.add(event.role, event.text, event.message_id)
            case StatusEvent():
                self.status = event.status
                chat.add("system", event.text or f"Status: {event.status}", event.message_id)
            case PrdEvent():
                self.show_prd(event.prd)
                chat.add("system", "PRD ready: press 2 to read it.", event.message_id)
            case StepEvent():
                if event.text and event.text != self.last_step_text:  # the build log, for every user
                    self.last_step_text = event.text
                    chat.add("system", event.text, event.message_id)
                stages = self.query_one(StageProgress)
                stages.update_stage(event.stage, event.stage_status, event.progress)
                if self.status == "failed":
                    stages.job_failed()
            case AppReadyEvent():
                self.set_app_ready(event.app_id, event.name)
                chat.add("system", f"App ready: {event.name}", event.message_id)
            case ErrorEvent():
                chat.add("system", f"Error ({event.code}): {event.text}", event.message_id, error=True)
                if event.message_id is None:
                    self.notify(one_line(event.text), severity="error", markup=False)
            case WarningEvent():
                self.notify(f"Ignored a frame from the server: {one_line(event.text)}", severity="warning",
                            markup=False)
            case ConnectionEvent():
                self.set_connection(event.state, event.attempt)
            case JobGoneEvent():
                self.gone = True
            case ChatQueued():
                chat.add("user", event.text, pending=True)
            case JobSnapshotEvent():
                self.apply_job(event.job)
            case ApiFallbackEvent():
                self.fallback = event.text
                chat.add("system", event.text)
                self.set_connection(self.connection)

    def show_prd(self, prd: str) -> None:
        self.prd = prd
        self.query_one(PrdView).show(prd)

    def set_app_ready(self, app_id: int, name: str) -> None:
        self.app_ready = (app_id, name)
        label = Text("App ready — press o to open", no_wrap=True, overflow="ellipsis")
        if name:  # after the key, so a narrow terminal cuts the name, not how to open it
            label.append(f": {one_line(name)}")
        banner = self.query_one("#app-banner", Static)
        banner.update(label)
        banner.add_class("-visible")
        self.refresh_bindings()

    def set_connection(self, state: str, attempt: int = 0) -> None:
        self.connection = "offline" if state == "closed" else state
        self.host.show_connection(ConnectionState.of(self.connection))
        label = CONNECTION_LABELS.get(state, state)
        if state == "reconnecting" and attempt:
            label = f"↻ reconnecting (attempt {attempt})…"
        elif self.connection == "live" and self.fallback:
            label = FALLBACK_LABEL
        widget = self.query_one("#conn-state", Static)
        widget.tooltip = self.fallback if label == FALLBACK_LABEL else None
        widget.update(label)
        for name in ("connecting", "live", "reconnecting", "offline"):
            widget.set_class(self.connection == name, f"-{name}")

    def watch_status(self, status: str) -> None:
        if status == "failed":
            self.query_one(StageProgress).job_failed()
        badge = self.query_one("#job-status", Static)
        badge.update(Text(one_line(status)))  # the server's word: no markup, no terminal controls
        badge.set_classes(f"-{status}" if identifier_part(status) else "")
        self.update_chat_input()

    def watch_gone(self, gone: bool) -> None:
        if gone:
            self.query_one("#job-status", Static).update("deleted")
            self.query_one("#job-status", Static).set_classes("-failed")
            self.query_one(ChatLog).add("system", "This job was deleted.", error=True)
            self.set_connection("offline")
            self.notify("This job was deleted.", severity="warning")
            self.post_message(JobsChanged(self.job_id))
        self.update_chat_input()

    def update_chat_input(self) -> None:
        chat_input = self.query_one("#chat-input", Input)
        reason = self.query_one("#chat-reason", Static)
        open_ = self.status == "collecting" and not self.gone
        chat_input.disabled = not open_
        chat_input.display = open_  # closed: its rows go to the transcript (5 rows at 80x24 otherwise)
        if self.gone:
            self.chat_reason = "This job was deleted: nothing more can be sent."
        elif open_:
            self.chat_reason = "Answer the questions; type /go, or press g outside the input, to build."
        else:
            self.chat_reason = CHAT_REASONS.get(self.status,
                                                f"Chat is closed (status: {one_line(self.status)}).")
        reason.update(Text(self.chat_reason))
        reason.set_class(not open_, "-closed")
        reading = self.focused is not None and any(isinstance(node, MessagesPane)
                                                   for node in self.focused.ancestors_with_self)
        if open_ and not isinstance(self.focused, Input) and not reading:
            self.call_after_refresh(chat_input.focus)

    @property
    def blocked_reason(self) -> str | None:
        if self.gone:
            return "This job was deleted."
        if self.status == "loading":
            return "The job is still loading."
        if self.status != "collecting":
            return f"status is '{one_line(self.status)}'"
        return None

    # ----- actions ------------------------------------------------------------------------------------
    def action_back(self) -> None:
        chat_input = self.query_one("#chat-input", Input)
        if self.focused is chat_input:
            self.query_one(ChatLog).focus()
            return
        go_back(self)

    def action_focus_chat(self) -> None:
        self.query_one(TabbedContent).active = "tab-chat"
        chat_input = self.query_one("#chat-input", Input)
        if chat_input.disabled:
            self.notify(self.chat_reason, severity="warning", markup=False)
        else:
            chat_input.focus()

    def action_show_tab(self, tab: str) -> None:
        """Switch and focus at once, before the old tab's Hide event blurs its widget (Textual would then
        focus the next widget in the chain, which can switch back to the old tab)."""
        self.query_one(TabbedContent).active = tab
        self.focus_tab(tab)

    def action_start_build(self) -> None:
        reason = self.blocked_reason
        if reason:
            self.notify(f"The build can only be started while collecting requirements ({reason}).",
                        severity="warning", markup=False)
            return
        self.start_build()

    def action_edit_prompt(self) -> None:
        reason = self.blocked_reason
        if reason:
            self.notify(f"{PROMPT_REASON} ({reason}).", severity="warning", markup=False)
            return
        prompt = self.job.initial_prompt if self.job else ""
        self.app.push_screen(PromptEditorScreen(prompt, self.save_prompt))

    def action_open_app(self) -> None:
        if self.app_ready is None:
            self.notify("No app yet: it appears when the build is done.", severity="warning")
            return
        self.post_message(OpenApp(self.app_ready[0]))

    def action_delete_message(self) -> None:
        if self.query_one(TabbedContent).active != "tab-messages":
            self.query_one(TabbedContent).active = "tab-messages"
            self.query_one(MessageTable).focus()
            return
        message_id = self.query_one(MessageTable).selected_id()
        if message_id is None:
            self.notify("No message selected.", severity="warning")
            return
        self.delete_message(message_id)

    def action_add_message(self) -> None:
        self.app.push_screen(AddMessageScreen(self.create_message))

    @on(Input.Submitted, "#chat-input")
    def chat_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        reason = self.blocked_reason
        if reason:
            self.notify(f"Chat is only open while collecting requirements ({reason}).", severity="warning",
                        markup=False)
            return
        self.send_chat(text)

    @on(TabbedContent.TabActivated)
    def tab_changed(self, event: TabbedContent.TabActivated) -> None:
        """A tab clicked: its content takes the keys. Stale messages (the tab changed again since) and focus
        already inside the pane are left alone: focusing a widget activates its pane, so acting on either
        would make two tabs take turns."""
        pane = event.pane
        if pane.id != self.query_one(TabbedContent).active or (
                self.focused is not None and pane in self.focused.ancestors_with_self):
            return
        self.focus_tab(pane.id or "")

    def focus_tab(self, tab: str) -> None:
        """Focus the content of a tab: the PRD scrolls with ↓/PageDown/End at once, the chat input types."""
        if tab == "tab-messages":
            target: Widget = self.query_one(MessageTable)
        elif tab == "tab-prd":
            target = self.query_one("#prd-scroll")
        else:
            chat_input = self.query_one("#chat-input", Input)
            target = self.query_one(ChatLog) if chat_input.disabled else chat_input
        target.focus()
