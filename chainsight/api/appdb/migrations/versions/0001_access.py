"""Users, API keys, sessions, sign-in failures, the append-only audit log and firm assignments.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The audit log refuses every change after the fact, in the database itself: no code path (and no
# route) of ChainSight can alter it, and a person with SQL access must drop the trigger first.
PG_REFUSE = """
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END;
$$
"""
PG_TRIGGERS = (
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
)
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_no_{op_name.lower()} BEFORE {op_name} ON audit "
    f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {op_name} refused'); END"
    for op_name in ("UPDATE", "DELETE"))


def upgrade() -> None:
    """Create the tables of ``_schema`` as of this revision, and the audit log's triggers."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("branches", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("disabled_at", sa.DateTime),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("branches", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("client", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("client", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_sign_in_failures_name_client", "sign_in_failures", ["name", "client"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("principal_kind", sa.String(8)),
        sa.Column("principal_id", sa.Integer),
        sa.Column("principal_name", sa.String(64)),
        sa.Column("role", sa.String(16)),
        sa.Column("route", sa.String(255), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("client", sa.String(255), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
    )
    op.create_index("ix_audit_principal_name", "audit", ["principal_name"])
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_table(
        "assignments",
        sa.Column("firm_id", sa.String(64), primary_key=True),
        sa.Column("branch", sa.String(64)),
        sa.Column("manager", sa.String(64)),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        sa.Column("assigned_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_assignments_branch", "assignments", ["branch"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_REFUSE)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    """Drop everything (the audit log with it: only for a throw-away database)."""
    for table in ("assignments", "audit", "sign_in_failures", "sessions", "api_keys", "users"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_append_only()")
