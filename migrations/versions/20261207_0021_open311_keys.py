"""Open311 GeoReport v2: API keys issued by admins and the CLI.

A key no longer acts as an account: it is valid in one area (``area_code``, the area
whose requests it reads and where it may post) and remembers who issued it. The city
admin gets ``open311.keys`` (issue, list and revoke keys in the API). What an Open311
client sends beyond the event (its key, ``media_url``) is kept in ``open311_requests``,
scoped through its event like the other event children (migration 0003).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERMISSION = "open311.keys"


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("area_code", sa.String(14, collation="C")))
    op.add_column("api_keys", sa.Column("created_by", sa.Integer()))
    # A key issued before keeps the area of the account it acted as.
    op.execute(
        "UPDATE api_keys SET area_code = users.scope_code FROM users"
        " WHERE users.id = api_keys.user_id"
    )
    op.alter_column("api_keys", "area_code", nullable=False)
    op.create_foreign_key(
        "fk_api_keys_area_code_areas", "api_keys", "areas", ["area_code"], ["code"]
    )
    op.create_foreign_key(
        "fk_api_keys_created_by_users",
        "api_keys",
        "users",
        ["created_by"],
        ["id"],
        ondelete="SET NULL",
    )
    op.drop_constraint("fk_api_keys_user_id_users", "api_keys", type_="foreignkey")
    op.drop_column("api_keys", "user_id")

    op.create_table(
        "open311_requests",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("api_key_id", sa.Integer()),
        sa.Column("media_url", sa.String(500)),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_open311_requests_event_id_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name="fk_open311_requests_api_key_id_api_keys",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_open311_requests"),
    )
    op.create_index("ix_open311_requests_api_key_id", "open311_requests", ["api_key_id"])
    op.execute("ALTER TABLE open311_requests ENABLE ROW LEVEL SECURITY")
    op.execute("""
        CREATE POLICY area_scope ON open311_requests
        USING (EXISTS (SELECT 1 FROM events e WHERE e.id = event_id))""")

    op.execute(
        f"UPDATE roles SET permissions = array_append(permissions, '{PERMISSION}')"
        f" WHERE name = 'city_admin' AND NOT ('{PERMISSION}' = ANY(permissions))"
    )


def downgrade() -> None:
    op.execute(
        f"UPDATE roles SET permissions = array_remove(permissions, '{PERMISSION}'::varchar)"
        " WHERE name = 'city_admin'"
    )
    op.drop_table("open311_requests")
    # Keys of revision 0020 act as an account; keys issued since do not, so they go.
    op.execute("DELETE FROM api_keys")
    op.add_column("api_keys", sa.Column("user_id", sa.Integer(), nullable=False))
    op.create_foreign_key(
        "fk_api_keys_user_id_users",
        "api_keys",
        "users",
        ["user_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_constraint("fk_api_keys_created_by_users", "api_keys", type_="foreignkey")
    op.drop_constraint("fk_api_keys_area_code_areas", "api_keys", type_="foreignkey")
    op.drop_column("api_keys", "created_by")
    op.drop_column("api_keys", "area_code")
