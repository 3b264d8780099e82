"""The app database's tables, as SQLAlchemy Core: what the code reads and writes.

The migrations (``migrations/versions``) create exactly these; a test compares the migrated database
with this metadata on SQLite and PostgreSQL, so the two cannot drift apart.

Times are stored as naive UTC (``UTCDateTime``) so that SQLite and PostgreSQL hand back the same value.

Examples
--------
>>> sorted(metadata.tables)  # doctest: +NORMALIZE_WHITESPACE
['api_keys', 'assignment_history', 'assignments', 'audit', 'claim_history', 'claims', 'list_firms', 'list_shares',
 'lists', 'outcomes', 'sessions', 'sign_in_failures', 'users']
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC datetime in Python, a naive UTC timestamp in the database.

    Examples
    --------
    >>> from datetime import timedelta, timezone
    >>> t = UTCDateTime()
    >>> t.process_bind_param(datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8))), None)
    datetime.datetime(2026, 1, 1, 0, 0)
    >>> t.process_result_value(datetime(2026, 1, 1), None)
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect | None) -> datetime | None:
        """Aware → naive UTC; a naive value is refused (it would be ambiguous)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the app database stores aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect | None) -> datetime | None:
        """Naive UTC → aware UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("branches", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("disabled_at", UTCDateTime),
    sa.Column("team", sa.String(16)),
)

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # The public part of the secret: the secret is found by it (an index) and then compared by hash.
    sa.Column("key_id", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("branches", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("client", sa.String(255), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

sign_in_failures = sa.Table(
    "sign_in_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("client", sa.String(255), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_sign_in_failures_name_client", "name", "client"),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("principal_kind", sa.String(8)),
    sa.Column("principal_id", sa.Integer),
    sa.Column("principal_name", sa.String(64)),
    sa.Column("role", sa.String(16)),
    sa.Column("route", sa.String(255), nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("client", sa.String(255), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Index("ix_audit_principal_name", "principal_name"),
    sa.Index("ix_audit_at", "at"),
)

assignments = sa.Table(
    "assignments", metadata,
    sa.Column("firm_id", sa.String(64), primary_key=True),
    sa.Column("branch", sa.String(64), index=True),
    sa.Column("manager", sa.String(64), index=True),
    sa.Column("assigned_by", sa.String(64), nullable=False),
    sa.Column("assigned_at", UTCDateTime, nullable=False),
)

# Append-only (the database refuses UPDATE and DELETE): every assignment and unassignment ever made.
assignment_history = sa.Table(
    "assignment_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.String(64), nullable=False, index=True),
    sa.Column("branch", sa.String(64)),  # branch and manager both NULL: the assignment was removed
    sa.Column("manager", sa.String(64)),
    sa.Column("assigned_by", sa.String(64), nullable=False),
    sa.Column("assigned_at", UTCDateTime, nullable=False),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("firm_id", sa.String(64), primary_key=True),
    sa.Column("manager", sa.String(64), nullable=False, index=True),
    sa.Column("taken_at", UTCDateTime, nullable=False),
)

# Append-only: every take and release (``claims`` holds who has a prospect now).
claim_history = sa.Table(
    "claim_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.String(64), nullable=False, index=True),
    sa.Column("manager", sa.String(64), nullable=False),  # whose claim it is
    sa.Column("action", sa.String(8), nullable=False),  # take | release
    sa.Column("done_by", sa.String(64), nullable=False),  # the taker, or the admin who released it
    sa.Column("at", UTCDateTime, nullable=False),
)

outcomes = sa.Table(
    "outcomes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("product", sa.String(100)),
    sa.Column("reason", sa.String(500)),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("follow_up", sa.Date),
    sa.Column("recorded_by", sa.String(64), nullable=False, index=True),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
)

lists = sa.Table(
    "lists", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("owner", sa.String(64), nullable=False, index=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("source", sa.JSON),  # the filters it was saved from (None: chosen by id)
    sa.Column("created_at", UTCDateTime, nullable=False),
)

list_firms = sa.Table(
    "list_firms", metadata,
    sa.Column("list_id", sa.Integer, sa.ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("firm_id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

list_shares = sa.Table(
    "list_shares", metadata,
    sa.Column("list_id", sa.Integer, sa.ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(8), primary_key=True),  # branch | team
    sa.Column("target", sa.String(64), primary_key=True),
    sa.Column("shared_by", sa.String(64), nullable=False),
    sa.Column("shared_at", UTCDateTime, nullable=False),
    sa.Index("ix_list_shares_kind_target", "kind", "target"),
)
