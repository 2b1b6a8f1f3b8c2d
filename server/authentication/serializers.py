"""User, register, login, refresh and logout serializers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer

from . import usernames
from .sessions import new_refresh_token

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "date_joined"]
        read_only_fields = fields


def tokens_for(user: Any) -> dict[str, str]:
    refresh = new_refresh_token(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class RegisterSerializer(serializers.ModelSerializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(write_only=True, min_length=8, max_length=128, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    class Meta:
        model = User
        fields = ["username", "password", "email"]

    def validate_username(self, value: str) -> str:
        name = usernames.normalize(value)
        UnicodeUsernameValidator()(name)
        if len(usernames.scripts(name)) > 1:
            raise serializers.ValidationError("Usernames must not mix scripts (look-alike letters).")
        if usernames.taken(name):  # the view runs this inside the write transaction: no race
            raise serializers.ValidationError("A user with that username already exists.")
        return name

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = User(username=attrs.get("username", ""), email=attrs.get("email", ""))
        try:
            validate_password(attrs["password"], candidate)
        except DjangoValidationError as err:
            raise serializers.ValidationError({"password": list(err.messages)}) from None
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Any:
        return User.objects.create_user(**validated_data)


class LoginSerializer(TokenObtainPairSerializer):
    """SimpleJWT's pair serializer, plus the user; the username is NFKC-normalised like at registration."""

    @classmethod
    def get_token(cls, user: Any) -> Any:
        return new_refresh_token(user)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        name = attrs.get(self.username_field)
        if isinstance(name, str):
            attrs = {**attrs, self.username_field: usernames.normalize(name)}
        data = super().validate(attrs)
        return {**data, "user": UserSerializer(self.user).data}


class RotatingRefreshSerializer(TokenRefreshSerializer):
    """Refresh with rotation where exactly one of many concurrent uses of a token succeeds.

    The check (not blacklisted) and the blacklist insert run in one `BEGIN IMMEDIATE` transaction, which
    SQLite grants one writer at a time; a user deleted since is a 401, not a 500."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            with transaction.atomic():
                return super().validate(attrs)
        except User.DoesNotExist:
            message = self.error_messages["no_active_account"]
            raise AuthenticationFailed(message, "no_active_account") from None
        except IntegrityError:
            raise InvalidToken("Token is blacklisted") from None


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()
