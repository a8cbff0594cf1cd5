"""The privacy notice that sign-up links to and records as accepted.

The notice is a page of a higher app (cms), so accounts does not look it up
itself: that app registers where the notice is and which version of it is
current, in its ``AppConfig.ready``, and sign-up asks here. With nothing
registered the notice has no address and no version.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NoticeSource:
    """``url()`` gives an address of the notice that works on every host and
    costs no query; ``version()`` the id of the notice's live revision, or None."""

    url: Callable[[], str]
    version: Callable[[], int | None]


_source: NoticeSource | None = None


def privacy_notice_register(source: NoticeSource) -> None:
    """Tell sign-up where the privacy notice is (called once, at start-up)."""
    global _source
    _source = source


def privacy_notice_url() -> str:
    """The notice's address, or "" when no app keeps one."""
    return _source.url() if _source is not None else ""


def privacy_notice_version() -> int | None:
    """The version of the notice a person accepts now, or None."""
    return _source.version() if _source is not None else None
