"""Auth endpoints: register, login, logout (blacklist, closes the session's sockets), me, token refresh
(rotating, single use), users (admin). Login, register and refresh are throttled per client address."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from server.validation import reject_unknown_fields

from .serializers import (
    LoginSerializer,
    LogoutSerializer,
    RegisterSerializer,
    RotatingRefreshSerializer,
    UserSerializer,
    tokens_for,
)
from .sessions import end_session
from .throttles import LoginThrottle, RefreshThrottle, RegisterThrottle


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [RegisterThrottle]

    def post(self, request: Request) -> Response:
        reject_unknown_fields(request.data, {"username", "password", "email"})
        serializer = RegisterSerializer(data=request.data)
        with transaction.atomic():  # the name check and the insert under one write lock
            serializer.is_valid(raise_exception=True)
            user = serializer.save()
        return Response(
            {"user": UserSerializer(user).data, **tokens_for(user)}, status=status.HTTP_201_CREATED
        )


class LoginView(TokenObtainPairView):
    serializer_class = LoginSerializer
    authentication_classes: list = []
    throttle_classes = [LoginThrottle]


class RefreshView(TokenRefreshView):
    serializer_class = RotatingRefreshSerializer
    authentication_classes: list = []
    throttle_classes = [RefreshThrottle]


class LogoutView(APIView):
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = RefreshToken(serializer.validated_data["refresh"])
        except TokenError as exc:
            return Response({"refresh": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        if str(token.get("user_id")) != str(request.user.pk):
            return Response(
                {"refresh": ["Token does not belong to this user."]}, status=status.HTTP_400_BAD_REQUEST
            )
        token.blacklist()
        end_session(token)
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(generics.RetrieveAPIView):
    serializer_class = UserSerializer

    def get_object(self):  # type: ignore[override]
        return self.request.user


class UsersView(generics.ListAPIView):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = UserSerializer
    queryset = get_user_model().objects.order_by("id")
