"""Owner-scoped REST views for jobs, job messages and apps (another user's object is always 404)."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from server.errors import Conflict
from server.validation import parse_id, reject_unknown_fields

from . import flood, pipeline
from .counts import count_key, forget_owner, job_counts
from .listing import JobCursorPagination, JobListQuery, OptionalLimitOffsetPagination
from .models import App, Job, JobMessage, derive_title
from .rawrows import JobRows, uses_raw_rows
from .rendering import FastJSONRenderer
from .serializers import (
    PROMPT_SUMMARY_CHARS,
    AppSerializer,
    AppSummarySerializer,
    FloodSerializer,
    JobMessageSerializer,
    JobSerializer,
    JobSummarySerializer,
    MessageCreateSerializer,
    PromptSerializer,
    job_rows,
)
from .services import broadcast_job_deleted, post_message


class OwnedObjectMixin:
    """`get_object` that 404s on malformed, out-of-range or foreign ids (the queryset is owner-filtered)."""

    def get_object(self) -> Any:
        pk = parse_id(self.kwargs["pk"])
        obj = self.get_queryset().filter(pk=pk).first()  # type: ignore[attr-defined]
        if obj is None:
            raise NotFound()
        return obj


class JobViewSet(OwnedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    pagination_class = OptionalLimitOffsetPagination
    renderer_classes = [FastJSONRenderer]
    list_query: dict[str, Any]

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.filter(owner=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.list_query = JobListQuery.parse(request)
        queryset = self.list_rows()
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(queryset if page is None else page, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def list_rows(self) -> Any:
        """The rows to page: `JobRows` (one SQL statement) on SQLite, the ORM queryset on other backends."""
        summary = self.list_query["view"] == "summary"
        if uses_raw_rows():
            return JobRows(self.request.user.pk, summary, self.list_query, PROMPT_SUMMARY_CHARS)
        return job_rows(self.filter_queryset(self.get_queryset()), summary)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self._read(self.get_object().pk))

    def filter_queryset(self, queryset: QuerySet[Job]) -> QuerySet[Job]:
        query = self.list_query
        if search := query["search"]:
            queryset = queryset.filter(Q(title__icontains=search) | Q(initial_prompt__icontains=search))
        if query["status"]:
            queryset = queryset.filter(status__in=query["status"])
        if "updated_after" in query:
            queryset = queryset.filter(updated_at__gt=query["updated_after"])
        return queryset.order_by(*query["ordering"])

    def get_serializer_class(self) -> type:
        if self.action == "list" and self.list_query["view"] == "summary":
            return JobSummarySerializer
        return JobSerializer

    @property
    def paginator(self) -> Any:
        """Keyset pages when the client asks for them (`pagination=cursor`), else offset pages on `limit`."""
        if not hasattr(self, "_paginator"):
            cursor = self.action == "list" and self.list_query["pagination"] == "cursor"
            self._paginator = JobCursorPagination() if cursor else OptionalLimitOffsetPagination()
            if self.action == "list" and not cursor and self._unfiltered():
                self._paginator.cached_count = functools.partial(job_counts.get, count_key(self.request.user))
        return self._paginator

    def _unfiltered(self) -> bool:
        """All the user's jobs (any ordering or view): the count is the user's job count."""
        query = self.list_query
        return not query["search"] and not query["status"] and "updated_after" not in query

    def _read(self, job_id: int) -> dict[str, Any]:
        return JobSerializer(job_rows(self.get_queryset()).get(pk=job_id)).data

    def create(self, request: Request) -> Response:
        reject_unknown_fields(request.data, {"initial_prompt"})
        serializer = PromptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = pipeline.create_job_sync(request.user, serializer.validated_data["initial_prompt"])
        return Response(self._read(job.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        reject_unknown_fields(request.data, {"initial_prompt"})
        serializer = PromptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prompt = serializer.validated_data["initial_prompt"]
        with transaction.atomic():
            updated = Job.objects.filter(pk=job.pk, status=Job.Status.COLLECTING).first()
            if updated is None:
                raise Conflict("The prompt can only be edited while the job is collecting requirements "
                               f"(status is '{current_status(job.pk)}').")
            updated.initial_prompt, updated.title = prompt, derive_title(prompt)
            updated.save(update_fields=["initial_prompt", "title", "updated_at"])
        return Response(self._read(job.pk))

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        job_id = job.pk
        with transaction.atomic():
            job.delete()
            forget_owner(request.user.pk)
            transaction.on_commit(lambda: broadcast_job_deleted(job_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        if not pipeline.begin_sync(job.pk):
            raise Conflict("The build can only be started while the job is collecting requirements "
                           f"(status is '{current_status(job.pk)}').")
        return Response(self._read(job.pk), status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Resume a failed build from where it stopped."""
        job = self.get_object()
        if not pipeline.retry_sync(job.pk):
            raise Conflict(f"Only a failed build can be retried (status is '{current_status(job.pk)}').")
        return Response(self._read(job.pk), status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"])
    def flood(self, request: Request, pk: str | None = None) -> Response:
        """Benchmarks only (ALLOW_FLOOD): `{"rate": n, "seconds": s}` agent chats on this job's socket."""
        if not settings.ALLOW_FLOOD:
            return Response(
                {"detail": "Flood is disabled on this server (ALLOW_FLOOD is off)."},
                status=status.HTTP_403_FORBIDDEN,
            )
        job = self.get_object()
        serializer = FloodSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate, seconds = serializer.validated_data["rate"], serializer.validated_data["seconds"]
        run = functools.partial(flood.run_flood, job.pk, rate, seconds)
        if not pipeline.runtime.run_on_loop(run, f"flood-{job.pk}"):
            return Response(
                {"detail": "The server loop is not running."}, status=status.HTTP_503_SERVICE_UNAVAILABLE
            )
        return Response({"job_id": job.pk, "rate": rate, "seconds": seconds, "messages": int(rate * seconds)},
                        status=status.HTTP_202_ACCEPTED)

    @action(detail=False, methods=["delete"])
    def purge(self, request: Request) -> Response:
        if not settings.ALLOW_JOB_PURGE:
            return Response(
                {"detail": "Job purge is disabled on this server (ALLOW_JOB_PURGE is off)."},
                status=status.HTTP_403_FORBIDDEN,
            )
        with transaction.atomic():
            ids = list(Job.objects.filter(owner=request.user).values_list("pk", flat=True))
            Job.objects.filter(owner=request.user).delete()
            forget_owner(request.user.pk)
            transaction.on_commit(lambda: [broadcast_job_deleted(i) for i in ids])
        return Response({"deleted": len(ids)})


class JobMessageViewSet(
    OwnedObjectMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = JobMessageSerializer

    def get_queryset(self) -> QuerySet[JobMessage]:
        return JobMessage.objects.filter(job__owner=self.request.user)

    def _own_job(self, raw: Any, field: str) -> Job:
        job = Job.objects.filter(
            pk=parse_id(raw, not_found=False, field=field), owner=self.request.user
        ).first()
        if job is None:
            raise NotFound()
        return job

    def list(self, request: Request) -> Response:
        params = request.query_params
        if "job_id" not in params:
            raise ValidationError({"job_id": ["This query parameter is required."]})
        job = self._own_job(params["job_id"], "job_id")
        messages = JobMessage.objects.filter(job=job).order_by("id")
        if params.get("after", "").strip():
            messages = messages.filter(id__gt=parse_id(params["after"], not_found=False, field="after"))
        return Response(JobMessageSerializer(messages, many=True).data)

    def create(self, request: Request) -> Response:
        reject_unknown_fields(request.data, {"job", "content", "role", "kind"})
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = self._own_job(data["job"], "job")
        if data["kind"] == "chat" and data["role"] == "user" and job.status == Job.Status.COLLECTING:
            message = pipeline.user_chat_sync(job, data["content"])
        else:
            with transaction.atomic():
                message = post_message(
                    job, data["kind"], data["role"], data["content"], _default_data(job, data)
                )
        return Response(JobMessageSerializer(message).data, status=status.HTTP_201_CREATED)


def current_status(job_id: int) -> str | None:
    """The job's status now (for a 409 that says why)."""
    return Job.objects.filter(pk=job_id).values_list("status", flat=True).first()


def _default_data(job: Job, data: dict[str, Any]) -> dict[str, Any]:
    """Frame fields for a hand-posted message of a non-chat kind."""
    if data["kind"] == "status":
        return {"status": job.status}
    if data["kind"] == "error":
        return {"code": "posted"}
    return {}


class AppViewSet(OwnedObjectMixin, viewsets.ReadOnlyModelViewSet):
    def get_queryset(self) -> QuerySet[App]:
        queryset = App.objects.filter(owner=self.request.user).order_by("-created_at", "-id")
        return queryset.defer("files", "architecture") if self.action == "list" else queryset

    def get_serializer_class(self) -> type:
        return AppSummarySerializer if self.action == "list" else AppSerializer

    @action(detail=False, methods=["get"], url_path=r"by-job/(?P<job_id>[^/]+)")
    def by_job(self, request: Request, job_id: str) -> Response:
        app = self.get_queryset().filter(job_id=parse_id(job_id)).first()
        if app is None:
            raise NotFound()
        return Response(AppSerializer(app).data)
