"""The whole domain schema: areas and grids, buildings, rooms, people, entities, components,
events and their workflow, accounts, sessions and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:54:03.348520
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_table(
        "areas",
        sa.Column("code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("short_name", sa.String(length=50), nullable=False),
        sa.Column("parent_code", sa.String(length=14, collation="C"), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "geom_3857",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3857,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("household_target", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(level = 'city' AND code ~ '^[0-9]{4}$') OR (level = 'district' AND code ~ '^[0-9]{6}$') OR (level = 'street' AND code ~ '^[0-9]{9}$') OR (level = 'community' AND code ~ '^[0-9]{12}$') OR (level = 'grid' AND code ~ '^[0-9]{14}$')",
            name=op.f("ck_areas_code_matches_level"),
        ),
        sa.CheckConstraint(
            "(level = 'city') = (parent_code IS NULL) AND (parent_code IS NULL OR left(code, length(parent_code)) = parent_code)",
            name=op.f("ck_areas_parent_is_prefix"),
        ),
        sa.CheckConstraint(
            "level = 'grid' OR household_target IS NULL", name=op.f("ck_areas_target_only_on_grids")
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["areas.code"],
            name=op.f("fk_areas_parent_code_areas"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_areas")),
    )
    op.create_geospatial_index(
        "idx_areas_geom",
        "areas",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_areas_geom_3857",
        "areas",
        ["geom_3857"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_areas_level"), "areas", ["level"], unique=False)
    op.create_index(op.f("ix_areas_parent_code"), "areas", ["parent_code"], unique=False)
    op.create_table(
        "component_classes",
        sa.Column("major", sa.String(length=2, collation="C"), nullable=False),
        sa.Column("minor", sa.String(length=3, collation="C"), nullable=False),
        sa.Column("major_name", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=True),
        sa.CheckConstraint(
            "major ~ '^[0-9]{2}$' AND minor ~ '^[0-9]{3}$'",
            name=op.f("ck_component_classes_code_format"),
        ),
        sa.PrimaryKeyConstraint("major", "minor", name=op.f("pk_component_classes")),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=True),
        sa.Column("area_code", sa.String(length=6, collation="C"), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.CheckConstraint(
            "area_code ~ '^[0-9]{4}([0-9]{2})?$'", name=op.f("ck_departments_area_level")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_departments_code")),
    )
    op.create_table(
        "hotspot_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("area_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("params_hash", sa.String(length=64), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("results", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_runs")),
    )
    op.create_index(op.f("ix_hotspot_runs_area_code"), "hotspot_runs", ["area_code"], unique=False)
    op.create_index(
        op.f("ix_hotspot_runs_params_hash"), "hotspot_runs", ["params_hash"], unique=False
    )
    op.create_table(
        "roles",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("label_zh", sa.String(length=30), nullable=False),
        sa.Column("label_en", sa.String(length=50), nullable=False),
        sa.Column("permissions", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_roles")),
    )
    op.create_table(
        "work_calendar",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=50), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_work_calendar")),
    )
    op.create_table(
        "area_stats",
        sa.Column("area_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("residents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("residents_hukou", sa.Integer(), server_default="0", nullable=False),
        sa.Column("households", sa.Integer(), server_default="0", nullable=False),
        sa.Column("age_0_6", sa.Integer(), server_default="0", nullable=False),
        sa.Column("age_7_17", sa.Integer(), server_default="0", nullable=False),
        sa.Column("age_60_plus", sa.Integer(), server_default="0", nullable=False),
        sa.Column("age_80_plus", sa.Integer(), server_default="0", nullable=False),
        sa.Column("elderly_alone", sa.Integer(), server_default="0", nullable=False),
        sa.Column("disabled", sa.Integer(), server_default="0", nullable=False),
        sa.Column("special_care", sa.Integer(), server_default="0", nullable=False),
        sa.Column("buildings", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rooms", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rooms_rented", sa.Integer(), server_default="0", nullable=False),
        sa.Column("entities", sa.Integer(), server_default="0", nullable=False),
        sa.Column("components", sa.Integer(), server_default="0", nullable=False),
        sa.Column("components_damaged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("events_open", sa.Integer(), server_default="0", nullable=False),
        sa.Column("events_overdue", sa.Integer(), server_default="0", nullable=False),
        sa.Column("grids", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_code"],
            ["areas.code"],
            name=op.f("fk_area_stats_area_code_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("area_code", name=op.f("pk_area_stats")),
    )
    op.create_geospatial_table(
        "buildings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=19, collation="C"), nullable=False),
        sa.Column("grid_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column(
            "footprint",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "footprint_3857",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3857,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "centroid",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("use_type", sa.String(length=20), nullable=False),
        sa.Column("floors", sa.SmallInteger(), nullable=False),
        sa.Column("floors_below", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("year_built", sa.SmallInteger(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("code ~ '^[0-9]{19}$'", name=op.f("ck_buildings_code_format")),
        sa.CheckConstraint("grid_code ~ '^[0-9]{14}$'", name=op.f("ck_buildings_grid_code_format")),
        sa.CheckConstraint(
            "use_type IN ('residential', 'urban_village', 'commercial', 'office', 'industrial', 'school', 'medical', 'public', 'mixed', 'other')",
            name=op.f("ck_buildings_use_type_known"),
        ),
        sa.CheckConstraint("floors BETWEEN 1 AND 200", name=op.f("ck_buildings_floors_range")),
        sa.CheckConstraint(
            "floors_below BETWEEN 0 AND 10", name=op.f("ck_buildings_floors_below_range")
        ),
        sa.CheckConstraint(
            "year_built IS NULL OR year_built BETWEEN 1800 AND 2100",
            name=op.f("ck_buildings_year_range"),
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["areas.code"], name=op.f("fk_buildings_grid_code_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
        sa.UniqueConstraint("code", name=op.f("uq_buildings_code")),
        sa.UniqueConstraint("source_id", name=op.f("uq_buildings_source_id")),
    )
    op.create_geospatial_index(
        "idx_buildings_centroid",
        "buildings",
        ["centroid"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_buildings_footprint",
        "buildings",
        ["footprint"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_buildings_footprint_3857",
        "buildings",
        ["footprint_3857"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_buildings_grid_code"), "buildings", ["grid_code"], unique=False)
    op.create_geospatial_table(
        "components",
        sa.Column("id", sa.String(length=17, collation="C"), nullable=False),
        sa.Column("major", sa.String(length=2, collation="C"), nullable=False),
        sa.Column("minor", sa.String(length=3, collation="C"), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "geom_3857",
            Geometry(
                geometry_type="POINT",
                srid=3857,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=10), server_default="intact", nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("grid_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "grid_code ~ '^[0-9]{14}$'", name=op.f("ck_components_grid_code_format")
        ),
        sa.CheckConstraint("id ~ '^[0-9]{17}$'", name=op.f("ck_components_id_format")),
        sa.CheckConstraint(
            "state IN ('intact', 'damaged', 'lost', 'occupied')",
            name=op.f("ck_components_state_known"),
        ),
        sa.CheckConstraint(
            "substr(id, 7, 2) = major AND substr(id, 9, 3) = minor",
            name=op.f("ck_components_id_has_class"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_components_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["major", "minor"],
            ["component_classes.major", "component_classes.minor"],
            name=op.f("fk_components_major_component_classes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_components")),
    )
    op.create_geospatial_index(
        "idx_components_geom",
        "components",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_components_geom_3857",
        "components",
        ["geom_3857"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_components_department_id"), "components", ["department_id"], unique=False
    )
    op.create_index(op.f("ix_components_grid_code"), "components", ["grid_code"], unique=False)
    op.create_table(
        "event_categories",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("major", sa.String(length=2, collation="C"), nullable=False),
        sa.Column("minor", sa.String(length=3, collation="C"), nullable=False),
        sa.Column("major_name", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=True),
        sa.Column("group", sa.String(length=20), nullable=False),
        sa.Column("default_department_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.SmallInteger(), server_default="2", nullable=False),
        sa.Column("accept_minutes", sa.Integer(), server_default="30", nullable=False),
        sa.Column("dispatch_minutes", sa.Integer(), server_default="30", nullable=False),
        sa.Column("handle_minutes", sa.Integer(), server_default="480", nullable=False),
        sa.Column("verify_minutes", sa.Integer(), server_default="60", nullable=False),
        sa.Column("working_hours", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.CheckConstraint(
            "major ~ '^[0-9]{2}$' AND minor ~ '^[0-9]{3}$'",
            name=op.f("ck_event_categories_code_format"),
        ),
        sa.CheckConstraint(
            "accept_minutes > 0 AND dispatch_minutes > 0 AND handle_minutes > 0 AND verify_minutes > 0",
            name=op.f("ck_event_categories_limits_positive"),
        ),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 3", name=op.f("ck_event_categories_priority_range")
        ),
        sa.ForeignKeyConstraint(
            ["default_department_id"],
            ["departments.id"],
            name=op.f("fk_event_categories_default_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_categories")),
        sa.UniqueConstraint("major", "minor", name=op.f("uq_event_categories_major_minor")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("scope_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column(
            "extra_permissions",
            postgresql.ARRAY(sa.String(length=40)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("has_demo_password", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("failed_logins", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "password_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "username ~ '^[a-z0-9][a-z0-9._-]{2,39}$'", name=op.f("ck_users_username_format")
        ),
        sa.CheckConstraint("failed_logins >= 0", name=op.f("ck_users_failures_positive")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_users_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["role"], ["roles.name"], name=op.f("fk_users_role_roles")),
        sa.ForeignKeyConstraint(
            ["scope_code"], ["areas.code"], name=op.f("fk_users_scope_code_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_scope_code"), "users", ["scope_code"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=40), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=30), nullable=True),
        sa.Column("object_id", sa.String(length=40), nullable=True),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("client_addr", postgresql.INET(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_user_id"), "audit_log", ["user_id"], unique=False)
    op.create_geospatial_table(
        "events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "geom_3857",
            Geometry(
                geometry_type="POINT",
                srid=3857,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("building_id", sa.BigInteger(), nullable=True),
        sa.Column("grid_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="reported", nullable=False),
        sa.Column("priority", sa.SmallInteger(), server_default="2", nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_contact", sa.String(length=100), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stage_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_level", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("rework_count", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("duplicate_of_id", sa.BigInteger(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("grid_code ~ '^[0-9]{14}$'", name=op.f("ck_events_grid_code_format")),
        sa.CheckConstraint(
            "source IN ('patrol', 'supervisor', 'hotline', 'open311', 'sensor', 'import')",
            name=op.f("ck_events_source_known"),
        ),
        sa.CheckConstraint(
            "status IN ('reported', 'accepted', 'rejected', 'dispatched', 'handling', 'handled', 'postponed', 'closed')",
            name=op.f("ck_events_status_known"),
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name=op.f("ck_events_priority_range")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_events_version_positive")),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_events_building_id_buildings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["event_categories.id"],
            name=op.f("fk_events_category_id_event_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_events_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["events.id"], name=op.f("fk_events_duplicate_of_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["areas.code"], name=op.f("fk_events_grid_code_areas")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_events_reporter_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("code", name=op.f("uq_events_code")),
        sa.UniqueConstraint("external_id", name=op.f("uq_events_external_id")),
    )
    op.create_geospatial_index(
        "idx_events_geom",
        "events",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_events_geom_3857",
        "events",
        ["geom_3857"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_events_building_id"), "events", ["building_id"], unique=False)
    op.create_index(op.f("ix_events_category_id"), "events", ["category_id"], unique=False)
    op.create_index(op.f("ix_events_grid_code"), "events", ["grid_code"], unique=False)
    op.create_index(op.f("ix_events_department_id"), "events", ["department_id"], unique=False)
    op.create_table(
        "grid_workers",
        sa.Column("grid_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=10), server_default="primary", nullable=False),
        sa.Column(
            "assigned_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "duty IN ('primary', 'assistant')", name=op.f("ck_grid_workers_duty_known")
        ),
        sa.CheckConstraint("length(grid_code) = 14", name=op.f("ck_grid_workers_grid_level")),
        sa.ForeignKeyConstraint(
            ["grid_code"],
            ["areas.code"],
            name=op.f("fk_grid_workers_grid_code_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_grid_workers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grid_code", "user_id", name=op.f("pk_grid_workers")),
    )
    op.create_index(op.f("ix_grid_workers_user_id"), "grid_workers", ["user_id"], unique=False)
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=25, collation="C"), nullable=False),
        sa.Column("building_id", sa.BigInteger(), nullable=False),
        sa.Column("grid_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("floor", sa.SmallInteger(), nullable=False),
        sa.Column("door", sa.String(length=10), nullable=False),
        sa.Column("use_type", sa.String(length=20), nullable=False),
        sa.Column("area_m2", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("is_rental", sa.Boolean(), server_default="false", nullable=False),
        sa.CheckConstraint("code ~ '^[0-9]{25}$'", name=op.f("ck_rooms_code_format")),
        sa.CheckConstraint("grid_code ~ '^[0-9]{14}$'", name=op.f("ck_rooms_grid_code_format")),
        sa.CheckConstraint(
            "use_type IN ('residential', 'commercial', 'office', 'industrial', 'public', 'storage', 'other')",
            name=op.f("ck_rooms_use_type_known"),
        ),
        sa.CheckConstraint("area_m2 IS NULL OR area_m2 > 0", name=op.f("ck_rooms_area_positive")),
        sa.CheckConstraint(
            "floor BETWEEN -10 AND 200 AND floor <> 0", name=op.f("ck_rooms_floor_range")
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_rooms_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("code", name=op.f("uq_rooms_code")),
    )
    op.create_index(op.f("ix_rooms_building_id"), "rooms", ["building_id"], unique=False)
    op.create_index(op.f("ix_rooms_grid_code"), "rooms", ["grid_code"], unique=False)
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("area_prefix", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "area_prefix ~ '^[0-9]{4,14}$'", name=op.f("ck_routing_rules_prefix_format")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["event_categories.id"],
            name=op.f("fk_routing_rules_category_id_event_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_routing_rules_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
        sa.UniqueConstraint(
            "category_id", "area_prefix", name=op.f("uq_routing_rules_category_id_area_prefix")
        ),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_addr", postgresql.INET(), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"], unique=False)
    op.create_table(
        "event_actions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=15), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=30), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('report', 'accept', 'reject', 'dispatch', 'return', 'start', 'report_done', 'verify_pass', 'verify_fail', 'postpone', 'resume', 'escalate', 'close', 'merge')",
            name=op.f("ck_event_actions_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_event_actions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_event_actions_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_actions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_actions")),
    )
    op.create_index(op.f("ix_event_actions_event_id"), "event_actions", ["event_id"], unique=False)
    op.create_table(
        "households",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=False),
        sa.Column("grid_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("is_collective", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "grid_code ~ '^[0-9]{14}$'", name=op.f("ck_households_grid_code_format")
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_households_room_id_rooms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    op.create_index(op.f("ix_households_grid_code"), "households", ["grid_code"], unique=False)
    op.create_index(op.f("ix_households_room_id"), "households", ["room_id"], unique=False)
    op.create_table(
        "event_attachments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_event_attachments_size_positive")),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["event_actions.id"],
            name=op.f("fk_event_attachments_action_id_event_actions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_attachments_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_event_attachments_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_attachments")),
    )
    op.create_index(
        op.f("ix_event_attachments_event_id"), "event_attachments", ["event_id"], unique=False
    )
    op.create_table(
        "people",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_hash", sa.LargeBinary(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=True),
        sa.Column("phone_hash", sa.LargeBinary(), nullable=True),
        sa.Column("hukou_type", sa.String(length=10), nullable=False),
        sa.Column(
            "care_tags",
            postgresql.ARRAY(sa.String(length=30)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("room_id", sa.BigInteger(), nullable=True),
        sa.Column("household_id", sa.BigInteger(), nullable=True),
        sa.Column("relation", sa.String(length=12), server_default="head", nullable=False),
        sa.Column("grid_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("moved_in", sa.Date(), nullable=True),
        sa.Column("moved_out", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "care_tags <@ ARRAY['elderly_alone', 'disabled', 'special_care', 'low_income', 'left_behind_child', 'community_correction', 'mental_health']::varchar[]",
            name=op.f("ck_people_care_tags_known"),
        ),
        sa.CheckConstraint("grid_code ~ '^[0-9]{14}$'", name=op.f("ck_people_grid_code_format")),
        sa.CheckConstraint(
            "hukou_type IN ('local', 'non_local')", name=op.f("ck_people_hukou_known")
        ),
        sa.CheckConstraint(
            "relation IN ('head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'tenant', 'other')",
            name=op.f("ck_people_relation_known"),
        ),
        sa.CheckConstraint("sex IN ('M', 'F')", name=op.f("ck_people_sex_known")),
        sa.CheckConstraint("length(id_number_hash) = 32", name=op.f("ck_people_id_hash_length")),
        sa.CheckConstraint(
            "moved_out IS NULL OR moved_out >= moved_in", name=op.f("ck_people_moves_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_people_household_id_households"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_people_room_id_rooms"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("id_number_hash", name=op.f("uq_people_id_number_hash")),
    )
    op.create_index(op.f("ix_people_grid_code"), "people", ["grid_code"], unique=False)
    op.create_index(op.f("ix_people_household_id"), "people", ["household_id"], unique=False)
    op.create_index(op.f("ix_people_phone_hash"), "people", ["phone_hash"], unique=False)
    op.create_index(op.f("ix_people_room_id"), "people", ["room_id"], unique=False)
    op.create_table(
        "entities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("credit_code", sa.String(length=18, collation="C"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("entity_type", sa.String(length=30), nullable=False),
        sa.Column("industry", sa.String(length=10), nullable=True),
        sa.Column("building_id", sa.BigInteger(), nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=True),
        sa.Column("grid_code", sa.String(length=14, collation="C"), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=15), server_default="active", nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("legal_person_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'",
            name=op.f("ck_entities_credit_code_format"),
        ),
        sa.CheckConstraint(
            "entity_type IN ('enterprise', 'individual_business', 'social_organisation', 'public_institution', 'government')",
            name=op.f("ck_entities_type_known"),
        ),
        sa.CheckConstraint("grid_code ~ '^[0-9]{14}$'", name=op.f("ck_entities_grid_code_format")),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'deregistered')",
            name=op.f("ck_entities_status_known"),
        ),
        sa.CheckConstraint(
            "employees IS NULL OR employees >= 0", name=op.f("ck_entities_employees_positive")
        ),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_entities_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["legal_person_id"],
            ["people.id"],
            name=op.f("fk_entities_legal_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_entities_room_id_rooms"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_entities_credit_code")),
    )
    op.create_index(op.f("ix_entities_building_id"), "entities", ["building_id"], unique=False)
    op.create_index(op.f("ix_entities_grid_code"), "entities", ["grid_code"], unique=False)
    op.create_index(
        op.f("ix_entities_legal_person_id"), "entities", ["legal_person_id"], unique=False
    )
    op.create_index(op.f("ix_entities_room_id"), "entities", ["room_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_entities_room_id"), table_name="entities")
    op.drop_index(op.f("ix_entities_legal_person_id"), table_name="entities")
    op.drop_index(op.f("ix_entities_grid_code"), table_name="entities")
    op.drop_index(op.f("ix_entities_building_id"), table_name="entities")
    op.drop_table("entities")
    op.drop_index(op.f("ix_people_room_id"), table_name="people")
    op.drop_index(op.f("ix_people_phone_hash"), table_name="people")
    op.drop_index(op.f("ix_people_household_id"), table_name="people")
    op.drop_index(op.f("ix_people_grid_code"), table_name="people")
    op.drop_table("people")
    op.drop_index(op.f("ix_event_attachments_event_id"), table_name="event_attachments")
    op.drop_table("event_attachments")
    op.drop_index(op.f("ix_households_room_id"), table_name="households")
    op.drop_index(op.f("ix_households_grid_code"), table_name="households")
    op.drop_table("households")
    op.drop_index(op.f("ix_event_actions_event_id"), table_name="event_actions")
    op.drop_table("event_actions")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("routing_rules")
    op.drop_index(op.f("ix_rooms_grid_code"), table_name="rooms")
    op.drop_index(op.f("ix_rooms_building_id"), table_name="rooms")
    op.drop_table("rooms")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_grid_workers_user_id"), table_name="grid_workers")
    op.drop_table("grid_workers")
    op.drop_index(op.f("ix_events_department_id"), table_name="events")
    op.drop_index(op.f("ix_events_category_id"), table_name="events")
    op.drop_index(op.f("ix_events_grid_code"), table_name="events")
    op.drop_index(op.f("ix_events_building_id"), table_name="events")
    op.drop_geospatial_index(
        "idx_events_geom_3857",
        table_name="events",
        postgresql_using="gist",
        column_name="geom_3857",
    )
    op.drop_geospatial_index(
        "idx_events_geom", table_name="events", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("events")
    op.drop_index(op.f("ix_audit_log_user_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_action"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_users_scope_code"), table_name="users")
    op.drop_table("users")
    op.drop_table("event_categories")
    op.drop_index(op.f("ix_components_grid_code"), table_name="components")
    op.drop_index(op.f("ix_components_department_id"), table_name="components")
    op.drop_geospatial_index(
        "idx_components_geom_3857",
        table_name="components",
        postgresql_using="gist",
        column_name="geom_3857",
    )
    op.drop_geospatial_index(
        "idx_components_geom", table_name="components", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("components")
    op.drop_index(op.f("ix_buildings_grid_code"), table_name="buildings")
    op.drop_geospatial_index(
        "idx_buildings_footprint_3857",
        table_name="buildings",
        postgresql_using="gist",
        column_name="footprint_3857",
    )
    op.drop_geospatial_index(
        "idx_buildings_footprint",
        table_name="buildings",
        postgresql_using="gist",
        column_name="footprint",
    )
    op.drop_geospatial_index(
        "idx_buildings_centroid",
        table_name="buildings",
        postgresql_using="gist",
        column_name="centroid",
    )
    op.drop_geospatial_table("buildings")
    op.drop_table("area_stats")
    op.drop_table("work_calendar")
    op.drop_table("roles")
    op.drop_index(op.f("ix_hotspot_runs_params_hash"), table_name="hotspot_runs")
    op.drop_index(op.f("ix_hotspot_runs_area_code"), table_name="hotspot_runs")
    op.drop_table("hotspot_runs")
    op.drop_table("departments")
    op.drop_table("component_classes")
    op.drop_index(op.f("ix_areas_parent_code"), table_name="areas")
    op.drop_index(op.f("ix_areas_level"), table_name="areas")
    op.drop_geospatial_index(
        "idx_areas_geom_3857", table_name="areas", postgresql_using="gist", column_name="geom_3857"
    )
    op.drop_geospatial_index(
        "idx_areas_geom", table_name="areas", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("areas")
