"""`jobs ...`: list, show, create, edit, chat, start, retry, watch, delete, purge."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tui.cli.exits import AUTH, ERROR, NOT_FOUND, USAGE, CliError
from tui.cli.output import as_json, event_line, stamp, table, text_argument
from tui.cli.parsers import JSON, add_action, command_group
from tui.printable import one_line, printable

if TYPE_CHECKING:
    from tui.cli.context import Context
    from tui.services.client import ApiClient

FINISHED = ("done", "failed")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    actions = command_group(commands, "jobs", "list, show, create, edit, chat, start, retry, watch, delete "
                            "jobs")

    def action(name: str, handler: Any, help_text: str, *, json_flag: bool = True,
               job_id: bool = True) -> argparse.ArgumentParser:
        return add_action(actions, common, name, handler, help_text, description=help_text,
                          id_help="job id" if job_id else None, json_help=JSON if json_flag else None)

    listing = action("list", jobs_list, "your jobs, newest first", job_id=False)
    listing.add_argument("--status", metavar="S[,S]",
                         help="only these: collecting, prd, building, done, failed")
    listing.add_argument("--search", metavar="TEXT", help="only jobs whose title or prompt contains TEXT")
    action("show", jobs_show, "one job: status, stages, prompt, PRD")
    create = action("create", jobs_create, "create a job from a prompt (`-`: read it from stdin)",
                    job_id=False)
    create.add_argument("prompt", help="the prompt, or - for stdin")
    edit = action("edit", jobs_edit, "replace the prompt (only while collecting requirements)")
    edit.add_argument("prompt", nargs="?", help="the new prompt; - or omitted: read stdin")
    chat = action("chat", jobs_chat, "answer the agent (only while collecting); prints its reply")
    chat.add_argument("text", help="the message, or - for stdin")
    action("start", jobs_start, "stop collecting and start the build")
    action("retry", jobs_retry, "resume a failed build from where it stopped")
    action("watch", jobs_watch, "print the job's events as JSON lines until it is done (exit 0) or "
           "failed (exit 1)", json_flag=False)
    action("delete", jobs_delete, "delete a job", json_flag=False)
    purge = action("purge", jobs_purge, "delete ALL your jobs (if the server allows it)", json_flag=False,
                   job_id=False)
    purge.add_argument("--yes", action="store_true", help="really delete them")


def job_line(job: Any) -> str:
    stage = one_line(job.current_stage or "-")
    return f"#{job.id:<6} {one_line(job.status):<11} {stage:<13} {one_line(job.title)}"


async def jobs_list(ctx: Context, client: ApiClient) -> None:
    jobs = await client.list_jobs(search=ctx.args.search, status=ctx.args.status)
    if ctx.args.json:
        print(as_json(jobs))
        return
    print("\n".join(job_line(job) for job in jobs) if jobs else "No jobs.")


def show_job(job: Any) -> str:
    stages = ", ".join(f"{one_line(s.name)} {one_line(s.status)} {s.progress}%" for s in job.stages) or "-"
    rows = [("job", f"#{job.id} {job.title}"), ("status", job.status), ("stage", job.current_stage or "-"),
            ("stages", stages), ("app", f"#{job.app_id}" if job.app_id else "-"),
            ("created", stamp(job.created_at)), ("updated", stamp(job.updated_at))]
    text = table(rows) + "\n\nprompt:\n" + printable(job.initial_prompt)
    return text + (f"\n\nPRD:\n{printable(job.prd)}" if job.prd else "")


async def jobs_show(ctx: Context, client: ApiClient) -> None:
    job = await client.get_job(ctx.args.id)
    print(as_json(job) if ctx.args.json else show_job(job))


async def jobs_create(ctx: Context, client: ApiClient) -> None:
    job = await client.create_job(text_argument(ctx.args.prompt, "prompt"))
    print(as_json(job) if ctx.args.json else f"Created job #{job.id}: {one_line(job.title)}")


async def jobs_edit(ctx: Context, client: ApiClient) -> None:
    job = await client.update_prompt(ctx.args.id, text_argument(ctx.args.prompt, "prompt"))
    print(as_json(job) if ctx.args.json else f"Updated the prompt of job #{job.id}: {one_line(job.title)}")


async def jobs_chat(ctx: Context, client: ApiClient) -> None:
    from tui.services import Conflict

    text = text_argument(ctx.args.text, "message")
    job = await client.get_job(ctx.args.id)
    if not job.is_collecting:
        raise Conflict(f"Job #{job.id} is not collecting requirements (status is '{one_line(job.status)}'): "
                       "chat is only possible before the build.")
    sent = await client.create_message(job.id, text)
    replies = [m for m in await client.list_messages(job.id, after=sent.id) if m.role != "user"]
    if ctx.args.json:
        print(as_json([sent, *replies]))
        return
    print(f"Sent message #{sent.id}.")
    for message in replies:
        print(f"{one_line(message.role)}: {printable(message.content)}")


async def jobs_start(ctx: Context, client: ApiClient) -> None:
    job = await client.start_build(ctx.args.id)
    print(as_json(job) if ctx.args.json
          else f"Started the build of job #{job.id} (status {one_line(job.status)}).")


async def jobs_retry(ctx: Context, client: ApiClient) -> None:
    job = await client.retry_job(ctx.args.id)
    print(as_json(job) if ctx.args.json
          else f"Retrying the build of job #{job.id} (status {one_line(job.status)}).")


async def jobs_delete(ctx: Context, client: ApiClient) -> None:
    await client.delete_job(ctx.args.id)
    print(f"Deleted job #{ctx.args.id}.")


async def jobs_purge(ctx: Context, client: ApiClient) -> None:
    if not ctx.args.yes:
        raise CliError("purge deletes ALL your jobs: add --yes to confirm", USAGE)
    count = await client.purge_jobs()
    print(f"Deleted {count} job{'s' if count != 1 else ''}.")


async def jobs_watch(ctx: Context, client: ApiClient) -> int:
    """Replays the job's events from the start, then follows it live; ends when it is done or failed.

    A job that had finished already ends once its history is printed."""
    from tui.services import ConnectionEvent, JobGoneEvent, JobSocket, apply_event, settled

    job = await client.get_job(ctx.args.id)
    finished_before = job.status in FINISHED
    socket = JobSocket(client, job.id)
    try:
        async for event in socket:
            if type(event).__name__ != "ChatQueued":
                print(event_line(event), flush=True)
            if isinstance(event, JobGoneEvent):
                raise CliError(f"job #{job.id} was deleted", NOT_FOUND)
            if isinstance(event, ConnectionEvent) and event.state == "closed":
                code = AUTH if not client.is_authenticated else ERROR
                raise CliError(one_line(event.detail or "the live connection was closed"), code)
            if isinstance(event, ConnectionEvent) and event.state == "live" and finished_before:
                break
            job = apply_event(job, event) or job
            if not finished_before and settled(job):
                break
    finally:
        await socket.close()
    if job.status == "failed":
        print(f"appbuilder-tui: job #{job.id} failed", file=sys.stderr)
        return ERROR
    return 0
