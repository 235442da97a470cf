"""FastAPI dependencies: what routes get from the app made by `bot.app.create_app`."""
from __future__ import annotations

from fastapi import Request

from bot.core import ConversationCore
from bot.guard import Buckets, Lockout
from bot.sessions import Issuer, Secret
from bot.settings import Settings, get_settings  # noqa: F401  (re-exported)


def get_core(request: Request) -> ConversationCore:
    return request.app.state.core


def get_issuer(request: Request) -> Issuer:
    return request.app.state.issuer


def get_secret(request: Request) -> Secret:
    return request.app.state.secret


def get_sender_limits(request: Request) -> Buckets:
    return request.app.state.sender_limits


def get_lockout(request: Request) -> Lockout:
    return request.app.state.lockout


def settings_of(request: Request) -> Settings:
    return request.app.state.settings
