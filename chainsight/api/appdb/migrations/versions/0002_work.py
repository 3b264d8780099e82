"""Working a list: who has taken a prospect (claims) and the append-only outcomes recorded on it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# An outcome is never overwritten or removed: a correction is a new outcome (same rule as the audit log).
PG_REFUSE = """
CREATE FUNCTION outcomes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'outcomes are append-only: % refused', TG_OP;
END;
$$
"""
PG_TRIGGERS = (
    "CREATE TRIGGER outcomes_no_change BEFORE UPDATE OR DELETE ON outcomes "
    "FOR EACH ROW EXECUTE FUNCTION outcomes_append_only()",
    "CREATE TRIGGER outcomes_no_truncate BEFORE TRUNCATE ON outcomes "
    "FOR EACH STATEMENT EXECUTE FUNCTION outcomes_append_only()",
)
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER outcomes_no_{op_name.lower()} BEFORE {op_name} ON outcomes "
    f"BEGIN SELECT RAISE(ABORT, 'outcomes are append-only: {op_name} refused'); END"
    for op_name in ("UPDATE", "DELETE"))


def upgrade() -> None:
    """Create ``claims`` and ``outcomes`` as in ``_schema``, and the outcomes' append-only triggers."""
    op.create_table(
        "claims",
        sa.Column("firm_id", sa.String(64), primary_key=True),
        sa.Column("manager", sa.String(64), nullable=False),
        sa.Column("taken_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_claims_manager", "claims", ["manager"])
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("product", sa.String(100)),
        sa.Column("reason", sa.String(500)),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("follow_up", sa.Date),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_outcomes_firm_id", "outcomes", ["firm_id"])
    op.create_index("ix_outcomes_recorded_by", "outcomes", ["recorded_by"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_REFUSE)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    """Drop both tables (the outcomes with them: only for a throw-away database)."""
    for table in ("outcomes", "claims"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION outcomes_append_only()")
