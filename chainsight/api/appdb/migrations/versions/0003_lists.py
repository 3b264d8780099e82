"""Assignment and claim history (append-only), users' teams, named lists and their shares.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: Who assigned or took what, when: never rewritten (same rule as the audit log and the outcomes).
HISTORIES = ("assignment_history", "claim_history")
PG_REFUSE = """
CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$
"""
PG_TRIGGERS = tuple(statement for table in HISTORIES for statement in (
    f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION history_append_only()",
    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION history_append_only()"))
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER {table}_no_{op_name.lower()} BEFORE {op_name} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op_name} refused'); END"
    for table in HISTORIES for op_name in ("UPDATE", "DELETE"))


def upgrade() -> None:
    """Create the tables of ``_schema`` new in this revision, ``users.team`` and the history triggers."""
    op.add_column("users", sa.Column("team", sa.String(16)))
    op.create_index("ix_assignments_manager", "assignments", ["manager"])
    op.create_table(
        "assignment_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.String(64), nullable=False),
        sa.Column("branch", sa.String(64)),
        sa.Column("manager", sa.String(64)),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        sa.Column("assigned_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_assignment_history_firm_id", "assignment_history", ["firm_id"])
    op.create_table(
        "claim_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.String(64), nullable=False),
        sa.Column("manager", sa.String(64), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("done_by", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_claim_history_firm_id", "claim_history", ["firm_id"])
    op.create_table(
        "lists",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("source", sa.JSON),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_lists_owner", "lists", ["owner"])
    op.create_table(
        "list_firms",
        sa.Column("list_id", sa.Integer, sa.ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("firm_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "list_shares",
        sa.Column("list_id", sa.Integer, sa.ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("target", sa.String(64), primary_key=True),
        sa.Column("shared_by", sa.String(64), nullable=False),
        sa.Column("shared_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_list_shares_kind_target", "list_shares", ["kind", "target"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_REFUSE)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    """Drop what :func:`upgrade` made (the histories with it: only for a throw-away database)."""
    for table in ("list_shares", "list_firms", "lists", "claim_history", "assignment_history"):
        op.drop_table(table)
    op.drop_index("ix_assignments_manager", "assignments")
    # SQLite >= 3.35 and PostgreSQL both drop a column in place (no table rebuild, no cascade).
    op.execute("ALTER TABLE users DROP COLUMN team")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION history_append_only()")
