-- Rollups (汇总) of the block data, in two sections (see api/areas/rollups.py):
-- area_stats: every table aggregated once per basic grid, then rolled up to community,
-- street, district and city by code prefix; building_stats: one row per building.
-- Statements are separated by a line holding only ";"; no bind parameters.

-- section: area_stats

CREATE TEMP TABLE IF NOT EXISTS area_rollup_grid (
    grid_code text COLLATE "C" PRIMARY KEY,
    residents bigint, residents_hukou bigint, age_0_6 bigint, age_7_17 bigint,
    age_60_plus bigint, age_80_plus bigint,
    tag_elderly_alone bigint, tag_disabled bigint, tag_special_care bigint,
    tag_low_income bigint, tag_left_behind_child bigint, tag_community_correction bigint,
    tag_mental_health bigint,
    households bigint, buildings bigint, rooms bigint, rooms_rented bigint,
    entities bigint, ent_enterprise bigint, ent_individual_business bigint,
    ent_social_organisation bigint, ent_public_institution bigint, ent_government bigint,
    components bigint, cmp_intact bigint, cmp_damaged bigint, cmp_lost bigint,
    cmp_occupied bigint,
    events_open bigint, events_overdue bigint, events_closed_month bigint
) ON COMMIT DROP
;
TRUNCATE area_rollup_grid
;
INSERT INTO area_rollup_grid
WITH bounds AS (
    SELECT (current_date - interval '7 years')::date AS born_7,
           (current_date - interval '18 years')::date AS born_18,
           (current_date - interval '60 years')::date AS born_60,
           (current_date - interval '80 years')::date AS born_80,
           date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')
               AT TIME ZONE 'Asia/Shanghai' AS month_start
), people_grid AS (
    SELECT p.grid_code,
           count(*) AS residents,
           count(*) FILTER (WHERE p.hukou_type = 'local') AS residents_hukou,
           count(*) FILTER (WHERE p.birth_date > b.born_7) AS age_0_6,
           count(*) FILTER (WHERE p.birth_date <= b.born_7 AND p.birth_date > b.born_18)
               AS age_7_17,
           count(*) FILTER (WHERE p.birth_date <= b.born_60) AS age_60_plus,
           count(*) FILTER (WHERE p.birth_date <= b.born_80) AS age_80_plus,
           count(*) FILTER (WHERE 'elderly_alone' = ANY (p.care_tags)) AS tag_elderly_alone,
           count(*) FILTER (WHERE 'disabled' = ANY (p.care_tags)) AS tag_disabled,
           count(*) FILTER (WHERE 'special_care' = ANY (p.care_tags)) AS tag_special_care,
           count(*) FILTER (WHERE 'low_income' = ANY (p.care_tags)) AS tag_low_income,
           count(*) FILTER (WHERE 'left_behind_child' = ANY (p.care_tags))
               AS tag_left_behind_child,
           count(*) FILTER (WHERE 'community_correction' = ANY (p.care_tags))
               AS tag_community_correction,
           count(*) FILTER (WHERE 'mental_health' = ANY (p.care_tags)) AS tag_mental_health
    FROM people p CROSS JOIN bounds b
    WHERE p.moved_out IS NULL OR p.moved_out > current_date
    GROUP BY p.grid_code
), households_grid AS (
    SELECT grid_code, count(*) AS households FROM households GROUP BY grid_code
), buildings_grid AS (
    SELECT grid_code, count(*) AS buildings FROM buildings GROUP BY grid_code
), rooms_grid AS (
    SELECT grid_code, count(*) AS rooms, count(*) FILTER (WHERE is_rental) AS rooms_rented
    FROM rooms GROUP BY grid_code
), entities_grid AS (
    SELECT grid_code,
           count(*) AS entities,
           count(*) FILTER (WHERE entity_type = 'enterprise') AS ent_enterprise,
           count(*) FILTER (WHERE entity_type = 'individual_business') AS ent_individual_business,
           count(*) FILTER (WHERE entity_type = 'social_organisation') AS ent_social_organisation,
           count(*) FILTER (WHERE entity_type = 'public_institution') AS ent_public_institution,
           count(*) FILTER (WHERE entity_type = 'government') AS ent_government
    FROM entities WHERE status <> 'deregistered' GROUP BY grid_code
), components_grid AS (
    SELECT grid_code,
           count(*) AS components,
           count(*) FILTER (WHERE state = 'intact') AS cmp_intact,
           count(*) FILTER (WHERE state = 'damaged') AS cmp_damaged,
           count(*) FILTER (WHERE state = 'lost') AS cmp_lost,
           count(*) FILTER (WHERE state = 'occupied') AS cmp_occupied
    FROM components GROUP BY grid_code
), events_grid AS (
    SELECT e.grid_code,
           count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected')) AS events_open,
           count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected')
                            AND e.stage_due_at < now()) AS events_overdue,
           count(*) FILTER (WHERE e.status = 'closed' AND e.closed_at >= b.month_start)
               AS events_closed_month
    FROM events e CROSS JOIN bounds b
    GROUP BY e.grid_code
), grid_codes AS (
    SELECT grid_code FROM people_grid UNION SELECT grid_code FROM households_grid
    UNION SELECT grid_code FROM buildings_grid UNION SELECT grid_code FROM rooms_grid
    UNION SELECT grid_code FROM entities_grid UNION SELECT grid_code FROM components_grid
    UNION SELECT grid_code FROM events_grid
)
SELECT g.grid_code,
       p.residents, p.residents_hukou, p.age_0_6, p.age_7_17, p.age_60_plus, p.age_80_plus,
       p.tag_elderly_alone, p.tag_disabled, p.tag_special_care, p.tag_low_income,
       p.tag_left_behind_child, p.tag_community_correction, p.tag_mental_health,
       h.households, b.buildings, r.rooms, r.rooms_rented,
       en.entities, en.ent_enterprise, en.ent_individual_business, en.ent_social_organisation,
       en.ent_public_institution, en.ent_government,
       c.components, c.cmp_intact, c.cmp_damaged, c.cmp_lost, c.cmp_occupied,
       ev.events_open, ev.events_overdue, ev.events_closed_month
FROM grid_codes g
LEFT JOIN people_grid p USING (grid_code)
LEFT JOIN households_grid h USING (grid_code)
LEFT JOIN buildings_grid b USING (grid_code)
LEFT JOIN rooms_grid r USING (grid_code)
LEFT JOIN entities_grid en USING (grid_code)
LEFT JOIN components_grid c USING (grid_code)
LEFT JOIN events_grid ev USING (grid_code)
;
DELETE FROM area_stats
;
INSERT INTO area_stats (
    area_code, residents, residents_hukou, households, age_0_6, age_7_17, age_60_plus,
    age_80_plus, elderly_alone, disabled, special_care, buildings, rooms, rooms_rented,
    entities, components, components_damaged, events_open, events_overdue, grids, details,
    refreshed_at)
WITH levels (n) AS (VALUES (4), (6), (9), (12), (14)),
rolled AS (
    SELECT left(r.grid_code, l.n) AS area_code,
           sum(r.residents) AS residents, sum(r.residents_hukou) AS residents_hukou,
           sum(r.households) AS households, sum(r.age_0_6) AS age_0_6,
           sum(r.age_7_17) AS age_7_17, sum(r.age_60_plus) AS age_60_plus,
           sum(r.age_80_plus) AS age_80_plus,
           sum(r.tag_elderly_alone) AS tag_elderly_alone, sum(r.tag_disabled) AS tag_disabled,
           sum(r.tag_special_care) AS tag_special_care, sum(r.tag_low_income) AS tag_low_income,
           sum(r.tag_left_behind_child) AS tag_left_behind_child,
           sum(r.tag_community_correction) AS tag_community_correction,
           sum(r.tag_mental_health) AS tag_mental_health,
           sum(r.buildings) AS buildings, sum(r.rooms) AS rooms,
           sum(r.rooms_rented) AS rooms_rented, sum(r.entities) AS entities,
           sum(r.ent_enterprise) AS ent_enterprise,
           sum(r.ent_individual_business) AS ent_individual_business,
           sum(r.ent_social_organisation) AS ent_social_organisation,
           sum(r.ent_public_institution) AS ent_public_institution,
           sum(r.ent_government) AS ent_government,
           sum(r.components) AS components, sum(r.cmp_intact) AS cmp_intact,
           sum(r.cmp_damaged) AS cmp_damaged, sum(r.cmp_lost) AS cmp_lost,
           sum(r.cmp_occupied) AS cmp_occupied,
           sum(r.events_open) AS events_open, sum(r.events_overdue) AS events_overdue,
           sum(r.events_closed_month) AS events_closed_month
    FROM area_rollup_grid r CROSS JOIN levels l
    GROUP BY 1
), grid_counts AS (
    SELECT left(a.code, l.n) AS area_code, count(*) AS grids
    FROM areas a CROSS JOIN levels l
    WHERE a.level = 'grid' AND a.retired_at IS NULL
    GROUP BY 1
)
SELECT a.code,
       coalesce(r.residents, 0), coalesce(r.residents_hukou, 0), coalesce(r.households, 0),
       coalesce(r.age_0_6, 0), coalesce(r.age_7_17, 0), coalesce(r.age_60_plus, 0),
       coalesce(r.age_80_plus, 0), coalesce(r.tag_elderly_alone, 0),
       coalesce(r.tag_disabled, 0), coalesce(r.tag_special_care, 0),
       coalesce(r.buildings, 0), coalesce(r.rooms, 0), coalesce(r.rooms_rented, 0),
       coalesce(r.entities, 0), coalesce(r.components, 0),
       coalesce(r.components, 0) - coalesce(r.cmp_intact, 0),
       coalesce(r.events_open, 0), coalesce(r.events_overdue, 0), coalesce(gc.grids, 0),
       jsonb_build_object(
           'entities_by_type', jsonb_build_object(
               'enterprise', coalesce(r.ent_enterprise, 0),
               'individual_business', coalesce(r.ent_individual_business, 0),
               'social_organisation', coalesce(r.ent_social_organisation, 0),
               'public_institution', coalesce(r.ent_public_institution, 0),
               'government', coalesce(r.ent_government, 0)),
           'components_by_state', jsonb_build_object(
               'intact', coalesce(r.cmp_intact, 0), 'damaged', coalesce(r.cmp_damaged, 0),
               'lost', coalesce(r.cmp_lost, 0), 'occupied', coalesce(r.cmp_occupied, 0)),
           'care_tags', jsonb_build_object(
               'elderly_alone', coalesce(r.tag_elderly_alone, 0),
               'disabled', coalesce(r.tag_disabled, 0),
               'special_care', coalesce(r.tag_special_care, 0),
               'low_income', coalesce(r.tag_low_income, 0),
               'left_behind_child', coalesce(r.tag_left_behind_child, 0),
               'community_correction', coalesce(r.tag_community_correction, 0),
               'mental_health', coalesce(r.tag_mental_health, 0)),
           'events_closed_this_month', coalesce(r.events_closed_month, 0)),
       now()
FROM areas a
LEFT JOIN rolled r ON r.area_code = a.code
LEFT JOIN grid_counts gc ON gc.area_code = a.code
WHERE a.retired_at IS NULL
;
TRUNCATE area_rollup_grid
;
-- section: building_stats
DELETE FROM building_stats
;
INSERT INTO building_stats (building_id, grid_code, residents, households, elderly, rooms,
                            entities, events_open)
WITH room_counts AS (
    SELECT building_id, count(*) AS rooms FROM rooms GROUP BY building_id
), resident_counts AS (
    SELECT r.building_id, count(*) AS residents,
           count(*) FILTER (WHERE p.birth_date <= (current_date - interval '60 years')::date)
               AS elderly
    FROM people p JOIN rooms r ON r.id = p.room_id
    WHERE p.moved_out IS NULL OR p.moved_out > current_date
    GROUP BY r.building_id
), household_counts AS (
    SELECT r.building_id, count(*) AS households
    FROM households h JOIN rooms r ON r.id = h.room_id GROUP BY r.building_id
), entity_counts AS (
    SELECT building_id, count(*) AS entities FROM entities
    WHERE status <> 'deregistered' GROUP BY building_id
), open_events AS (
    SELECT building_id, count(*) AS events_open FROM events
    WHERE building_id IS NOT NULL AND status NOT IN ('closed', 'rejected')
    GROUP BY building_id
)
SELECT b.id, b.grid_code, coalesce(rc.residents, 0), coalesce(hc.households, 0),
       coalesce(rc.elderly, 0), coalesce(ro.rooms, 0), coalesce(ec.entities, 0),
       coalesce(oe.events_open, 0)
FROM buildings b
LEFT JOIN room_counts ro ON ro.building_id = b.id
LEFT JOIN resident_counts rc ON rc.building_id = b.id
LEFT JOIN household_counts hc ON hc.building_id = b.id
LEFT JOIN entity_counts ec ON ec.building_id = b.id
LEFT JOIN open_events oe ON oe.building_id = b.id
