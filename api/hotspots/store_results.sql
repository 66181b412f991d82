-- The units of one hotspot run (热点分析结果), one array per column: a hexagon brings its
-- shape as lon/lat WKB, a grid or community (wkb NULL) takes the shape of its area.
INSERT INTO hotspot_results (run_id, unit_id, name, events, rate, z, p, q, gi_bin,
                             pattern, pattern_label, p_permutation, rank, weekly, geom_3857)
SELECT :run, u.id, u.name, u.events, u.rate, u.z, u.p, u.q, u.bin, u.pattern, u.label,
       u.p_perm, u.rank, string_to_array(u.weekly, ',')::int[],
       coalesce(ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB(u.wkb), 4326), 3857)),
                a.geom_3857)
FROM unnest(CAST(:ids AS text[]), CAST(:names AS text[]), CAST(:events AS int[]),
            CAST(:rates AS float8[]), CAST(:z AS float8[]), CAST(:p AS float8[]),
            CAST(:q AS float8[]), CAST(:bins AS int[]), CAST(:patterns AS text[]),
            CAST(:labels AS text[]), CAST(:p_perm AS float8[]), CAST(:ranks AS int[]),
            CAST(:weekly AS text[]), CAST(:wkb AS bytea[]))
     AS u(id, name, events, rate, z, p, q, bin, pattern, label, p_perm, rank, weekly, wkb)
LEFT JOIN areas a ON u.wkb IS NULL AND a.code = u.id
