"""Fill a fresh server DB with realistic jobs: `python -m benchmarks.seed USER PASSWORD JOBS RUNNING MARKER`.

Run with APPBUILDER_DB set, before the server starts. One job per prompt template goes through the real
pipeline (questions, answers, PRD, five stages, app with files and architecture; failed ones stop mid-build),
and the rest are copies of those rows with their own titles (bulk inserts: REST would take hours at 50k).
`RUNNING` jobs are left mid-build, so the server resumes them at start and their sockets carry real steps.
The newest job's title starts with MARKER (what the cold-start benchmark waits for). Prints `key=count` pairs.
"""

from __future__ import annotations

import os
import sys

PROMPTS = (
    "A recipe manager where I can save recipes, tag them and plan meals for the week.",
    "A habit tracker for my team. Each person logs daily habits and sees a weekly streak chart.",
    "An inventory system for a small bike shop with barcode scanning and low-stock alerts.",
    "A booking page for a yoga studio: classes, instructors, waitlists and reminders by email.",
    "A kanban board for a four-person design agency with swimlanes per client.",
    "A weather dashboard that shows hourly forecasts for the cities I pick, with rain alerts.",
    "A chess club ladder: members challenge each other, results update the ranking.",
    "An expense splitter for flatmates that settles debts with the fewest transfers.",
    "A reading list where I track books, quotes and how far I got in each one.",
    "A volunteer rota for a food bank: shifts, swaps and a reminder the day before.",
    "A plant watering planner with a schedule per plant and photos of how they grow.",
    "A tiny CRM for a freelance photographer: leads, shoots, invoices and follow-ups.",
    "A quiz maker for teachers with timed rounds and a leaderboard per class.",
    "A gym log: workouts, sets and personal records with a chart per exercise.",
    "A lost-and-found board for a school where parents can claim items with a photo.",
    "A podcast episode planner: guests, outlines, recording dates and publishing status.",
    "A parking spot sharing app for an office building with a weekly calendar.",
    "A bug tracker for a hobby game studio with priorities, owners and screenshots.",
    "A wedding planner: guest list, seating chart, RSVPs and a budget per vendor.",
    "A museum audio guide editor: rooms, exhibits, scripts and recorded clips.",
    "A dog walking scheduler for a neighbourhood: walkers, dogs, routes and payments.",
    "A carpool organiser for a football team: matches, drivers, seats and pick-up points.",
    "A home energy tracker that reads meter photos and charts use per month.",
    "A language flashcard app with spaced repetition and decks shared by a class.",
)
ANSWERS = ("People who use it daily; they must find what they need in seconds.",
           "Names, dates, notes and who owns each entry, with a history of changes.",
           "Works on phones, sign-in with email, calm colours.")
SHARES = (("done", 70), ("failed", 15), ("collecting", 15))  # per cent of the copies


def real_jobs(owner: object) -> dict[str, list[object]]:
    """One finished and one failed job per template, through the real pipeline (messages included)."""
    from server.jobs import pipeline

    made: dict[str, list[object]] = {"done": [], "failed": [], "collecting": []}
    for prompt in PROMPTS:
        job = pipeline.create_job_sync(owner, prompt)
        for answer in ANSWERS:
            pipeline.user_chat_sync(job, answer)
        pipeline.run_to_end_sync(job.pk)
        made["done"].append(job)
        failed = pipeline.create_job_sync(owner, prompt)
        pipeline.user_chat_sync(failed, "/go")
        for _ in range(3 + 4 + 2):
            pipeline.run_step_sync(failed.pk, notify=False)
        pipeline.fail_job_sync(failed.pk, "The build failed: the preview host ran out of disk.")
        made["failed"].append(failed)
        made["collecting"].append(pipeline.create_job_sync(owner, prompt))
    for jobs in made.values():
        for job in jobs:
            job.refresh_from_db()  # the pipeline saved its own copies of the rows
    return made


def copies(owner: object, made: dict[str, list[object]], count: int) -> None:
    """`count` more jobs copied from the real ones (apps too), oldest first, each with its own title."""
    from server.jobs.models import App, Job

    plan = [state for state, share in SHARES for _ in range(share)]
    jobs, sources = [], []
    for i in range(count):
        state = plan[i % len(plan)]
        source = made[state][i % len(PROMPTS)]
        title = f"{source.title[:52]} {i + 1}"
        jobs.append(Job(owner=owner, title=title, initial_prompt=f"{title}\n{source.initial_prompt}",
                        status=source.status, current_stage=source.current_stage, stages=source.stages,
                        prd=source.prd, pipeline_step=source.pipeline_step))
        sources.append(source)
    for start in range(0, count, 2000):
        Job.objects.bulk_create(jobs[start:start + 2000])
    apps = {app.job_id: app for app in App.objects.all()}
    copied = [App(job=job, owner=owner, name=apps[src.pk].name, description=apps[src.pk].description,
                  preview_url=f"https://preview.appbuilder.example/apps/c{job.pk}/", files=apps[src.pk].files,
                  file_count=apps[src.pk].file_count, architecture=apps[src.pk].architecture)
              for job, src in zip(jobs, sources, strict=True) if src.pk in apps]
    for start in range(0, len(copied), 2000):
        App.objects.bulk_create(copied[start:start + 2000])


def running_jobs(owner: object, count: int) -> None:
    """Builds left after their first steps; the server resumes them when it starts."""
    from server.jobs import pipeline

    for i in range(count):
        job = pipeline.create_job_sync(owner, PROMPTS[i % len(PROMPTS)])
        pipeline.user_chat_sync(job, "/go")
        for _ in range(4 + i % 5):
            pipeline.run_step_sync(job.pk, notify=False)


def spread_times(marker: str) -> None:
    """Ages: one job a minute back in time, newest id newest; the newest title gets the marker."""
    from django.db import connection

    from server.jobs.models import Job

    table = Job._meta.db_table
    age = f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ((SELECT MAX(id) FROM {table}) - id) || ' minutes')"
    stored = f"{age} || '000'"  # SQLite's %f has 3 decimals; Django stores 6: keep one text form per column
    with connection.cursor() as cursor:  # one statement: a save() per row takes seconds at 50k
        cursor.execute(f"UPDATE {table} SET created_at = {stored}, updated_at = {stored}")
    newest = Job.objects.order_by("-id").first()
    if marker and newest is not None:
        Job.objects.filter(pk=newest.pk).update(title=f"{marker} {newest.title}"[:80])


def main(username: str, password: str, total: int, running: int, marker: str = "") -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "server.settings"
    import django
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from server.jobs.models import App, Job, JobMessage

    owner = get_user_model().objects.create_user(username=username, password=password)
    made = real_jobs(owner) if total > running else {}
    real = sum(len(v) for v in made.values())
    copies(owner, made, max(0, total - running - real)) if made else None
    spread_times(marker)  # before the running builds: they are the newest rows, as after a fresh start
    running_jobs(owner, running)
    statuses = {s: Job.objects.filter(status=s).count() for s in ("done", "failed", "collecting", "building")}
    counts = {"jobs": Job.objects.count(), **statuses, "apps": App.objects.count(),
              "messages": JobMessage.objects.count()}
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:6])
