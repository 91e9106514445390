-- ---------------------------------------------------------------------------
-- Audits of whole tables
--
-- trace_audit() audits a table of point rows or of LINESTRING M
-- trajectories in a few set-based passes over the existing aggregates and
-- keeps the results in the schema traceaudit_results (created, with its
-- tables and views, by CREATE EXTENSION; they are extension members and
-- their rows are dumped by pg_dump).
--
-- Transactions and cancel: an audit runs entirely inside the caller's
-- transaction.  If it fails or is cancelled (statement_timeout,
-- pg_cancel_backend, Ctrl-C in psql), everything it wrote is rolled back:
-- no audit_run row, no partial per-trace results.  A committed audit_run
-- therefore always has status 'done'; 'running' is only visible to the
-- session running it.
--
-- Permissions: trace_audit is SECURITY INVOKER, so the caller needs SELECT
-- on the audited table and INSERT on the result tables (plus USAGE on
-- traceaudit_results.audit_run_id_seq); no superuser.  To let a role read
-- the results and the dashboard views without any access to the raw
-- fixes:
--   GRANT USAGE ON SCHEMA traceaudit_results TO dashboard;
--   GRANT SELECT ON ALL TABLES IN SCHEMA traceaudit_results TO dashboard;
-- To let a role run audits:
--   GRANT USAGE ON SCHEMA traceaudit_results TO auditor;
--   GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA traceaudit_results TO auditor;
--   GRANT USAGE ON ALL SEQUENCES IN SCHEMA traceaudit_results TO auditor;
-- ---------------------------------------------------------------------------

CREATE SCHEMA traceaudit_results;
COMMENT ON SCHEMA traceaudit_results IS
	'results of trace_audit(): runs, per-trace results, findings, dataset fingerprint and verdict, dashboard views';

CREATE TABLE traceaudit_results.audit_run (
	id				bigserial PRIMARY KEY,
	table_name		text NOT NULL,
	trace_col		text NOT NULL,
	time_col		text,
	geom_col		text NOT NULL,
	kind			text NOT NULL CHECK (kind IN ('points', 'trajectories')),
	options			jsonb NOT NULL,
	run_by			name NOT NULL DEFAULT current_user,
	started			timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished		timestamptz,
	duration_s		float8,
	rows_read		bigint,
	fixes			bigint,
	traces			bigint,
	rows_rejected	jsonb,
	status			text NOT NULL DEFAULT 'running'
					CHECK (status IN ('running', 'done', 'cancelled', 'failed'))
);
COMMENT ON TABLE traceaudit_results.audit_run IS
	'one row per trace_audit() call: table, columns, options, who, when, rows read, rows rejected by reason, duration, status';

CREATE TABLE traceaudit_results.audit_trace (
	run_id			bigint NOT NULL REFERENCES traceaudit_results.audit_run ON DELETE CASCADE,
	trace_id		text NOT NULL,
	fixes			bigint,
	implausible		int,
	speed			int,
	spike			int,
	acceleration	int,
	duplicate_time	int,
	time_backwards	int,
	gap				int,
	exact_duplicates int,
	max_speed_mps	float8,
	length_m		float8,
	duration_s		float8,
	t_start			timestamptz,
	t_end			timestamptz,
	skipped_null_geom bigint,
	skipped_null_time bigint,
	rejected_empty	bigint,
	rejected_nonfinite bigint,
	rejected_out_of_range bigint,
	rejected_bad_time bigint,
	realism_score	float8,
	realism_verdict	text,
	realism_evidence jsonb,
	PRIMARY KEY (run_id, trace_id)
);
COMMENT ON TABLE traceaudit_results.audit_trace IS
	'per trace of an audit: jump summary (fixes, findings per reason, max plausible speed, length, time span), rows rejected, realism score, verdict and evidence';

CREATE TABLE traceaudit_results.audit_finding (
	run_id			bigint NOT NULL REFERENCES traceaudit_results.audit_run ON DELETE CASCADE,
	trace_id		text NOT NULL,
	seq				int NOT NULL,
	reason			text NOT NULL,
	t_from			timestamptz,
	t_to			timestamptz,
	segment			geometry,
	distance_m		float8,
	seconds			float8,
	speed_mps		float8,
	accel_mps2		float8,
	limit_value		float8,
	detail			text,
	PRIMARY KEY (run_id, trace_id, seq, reason)
);
COMMENT ON TABLE traceaudit_results.audit_finding IS
	'findings of an audit (trace_jumps rows, gaps included), with the segment geometry';

CREATE TABLE traceaudit_results.audit_dataset (
	run_id			bigint PRIMARY KEY REFERENCES traceaudit_results.audit_run ON DELETE CASCADE,
	fingerprint		fingerprint,
	cell_m			float8,
	points			bigint,
	devices			bigint,
	cells			bigint,
	gini			float8,
	entropy			float8,
	top1_share		float8,
	top10_share		float8,
	core_cells		bigint,
	core_share		float8,
	verdict			text,
	evidence		jsonb
);
COMMENT ON TABLE traceaudit_results.audit_dataset IS
	'per audit: density fingerprint and its summary, and the dataset verdict (real/mixed/synthetic/inconclusive) with evidence from the per-trace realism';

SELECT pg_catalog.pg_extension_config_dump('traceaudit_results.audit_run', '');
SELECT pg_catalog.pg_extension_config_dump('traceaudit_results.audit_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('traceaudit_results.audit_trace', '');
SELECT pg_catalog.pg_extension_config_dump('traceaudit_results.audit_finding', '');
SELECT pg_catalog.pg_extension_config_dump('traceaudit_results.audit_dataset', '');

-- trace_audit's column check: the column's type, or an error naming it
CREATE FUNCTION traceaudit_results.audit_column_type(tbl regclass, col text, what text)
RETURNS regtype
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
AS $$
DECLARE
	t regtype;
BEGIN
	IF col IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22004',
			MESSAGE = format('trace_audit: the %s column must not be NULL', what);
	END IF;
	SELECT a.atttypid::regtype INTO t FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '42703',
			MESSAGE = format('trace_audit: %s column %s does not exist in table %s', what, quote_ident(col), tbl),
			HINT = format('Columns of %s: %s.  Names are case-sensitive and not quoted: pass %L, not %L.', tbl,
				(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
				 WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped),
				'Trace ID', '"Trace ID"');
	END IF;
	RETURN t;
END
$$;

CREATE FUNCTION trace_audit(tbl regclass, trace_col text, time_col text, geom_col text,
	options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $$
DECLARE
	known CONSTANT text[] := ARRAY['profile', 'cell_m', 'tz', 'min_devices'];
	opts jsonb;
	profile text;
	cell_m float8;
	tz text;
	min_devices int;
	qtable text;
	geom_type regtype;
	time_type regtype;
	run bigint;
	t0 timestamptz := clock_timestamp();
	tp timestamptz;
	n_rows bigint;
	n_traces bigint;
	n_fixes bigint;
	n_findings bigint;
	n_null_id bigint;
	n_null_traj bigint;
	n_kept bigint;
	with_findings text[];
	out_of_range text[];
	rejected jsonb;
	src text;		-- the audited rows as a FROM item: columns id, g, ts (points) or id, traj
	fp fingerprint;
	ds jsonb;
	bad text;
BEGIN
	-- options: defaults, unknown keys refused
	SELECT string_agg(k, ', ') INTO bad FROM jsonb_object_keys(coalesce(options, '{}')) k
	WHERE k <> ALL (known);
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('trace_audit: unknown option %s', bad),
			HINT = format('Options are %s.', array_to_string(known, ', '));
	END IF;
	opts := jsonb_build_object('profile', 'car', 'cell_m', 1000, 'tz', 'UTC', 'min_devices', 5)
		|| coalesce(options, '{}');
	profile := opts->>'profile';
	cell_m := (opts->>'cell_m')::float8;
	tz := opts->>'tz';
	min_devices := (opts->>'min_devices')::int;
	PERFORM now() AT TIME ZONE tz;		-- an unknown zone fails here, before any work
	-- an unknown profile fails here too
	PERFORM trace_summary('SRID=4326;LINESTRING M (0 0 0, 0 0 1)'::geometry, profile);

	-- names: the table through regclass, columns checked against pg_attribute
	SELECT format('%I.%I', n.nspname, c.relname) INTO qtable
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = tbl;
	PERFORM traceaudit_results.audit_column_type(tbl, trace_col, 'trace');
	geom_type := traceaudit_results.audit_column_type(tbl, geom_col, 'geometry');
	IF geom_type <> 'geometry'::regtype THEN
		RAISE EXCEPTION USING ERRCODE = '42804',
			MESSAGE = format('trace_audit: column %s of %s is %s, not geometry', quote_ident(geom_col), qtable, geom_type),
			HINT = 'Audit a view that casts or transforms it to geometry.';
	END IF;
	IF time_col IS NOT NULL THEN
		time_type := traceaudit_results.audit_column_type(tbl, time_col, 'time');
		IF time_type <> 'timestamptz'::regtype THEN
			RAISE EXCEPTION USING ERRCODE = '42804',
				MESSAGE = format('trace_audit: column %s of %s is %s, not timestamp with time zone',
					quote_ident(time_col), qtable, time_type),
				HINT = 'Audit a view that converts it, e.g. ts AT TIME ZONE ''UTC''.';
		END IF;
		src := format('(SELECT %I::text AS id, %I AS g, %I AS ts FROM %s) AS src',
			trace_col, geom_col, time_col, qtable);
	ELSE
		src := format('(SELECT %I::text AS id, %I AS traj FROM %s) AS src', trace_col, geom_col, qtable);
	END IF;

	-- the caller must be able to read the table (SECURITY INVOKER): fail
	-- on it before anything is written
	EXECUTE format('SELECT FROM %s LIMIT 0', qtable);

	INSERT INTO traceaudit_results.audit_run (table_name, trace_col, time_col, geom_col, kind, options)
	VALUES (qtable, trace_col, time_col, geom_col,
		CASE WHEN time_col IS NULL THEN 'trajectories' ELSE 'points' END, opts)
	RETURNING id INTO run;
	RAISE NOTICE 'trace_audit %: auditing % (%)', run, qtable,
		CASE WHEN time_col IS NULL THEN 'trajectories' ELSE 'point rows' END;

	-- phase 1: per-trace jump summary and realism, one GROUP BY pass
	tp := clock_timestamp();
	IF time_col IS NOT NULL THEN
		-- rows with a NULL trace id form one group, counted but not kept
		EXECUTE format($q$
			WITH t AS MATERIALIZED (
				SELECT id, trace_summary(g, ts, $2) AS s, trace_realism(g, ts) AS r
				FROM %s GROUP BY id),
			ins AS (
				INSERT INTO traceaudit_results.audit_trace
				SELECT $1, id, (s).fixes, (s).implausible, (s).speed, (s).spike, (s).acceleration,
					(s).duplicate_time, (s).time_backwards, (s).gap, (s).exact_duplicates,
					(s).max_speed_mps, (s).length_m, (s).duration_s, (s).t_start, (s).t_end,
					(s).skipped_null_geom, (s).skipped_null_time, (s).rejected_empty,
					(s).rejected_nonfinite, (s).rejected_out_of_range, (s).rejected_bad_time,
					(r).score, (r).verdict, (r).evidence
				FROM t WHERE id IS NOT NULL)
			SELECT coalesce(sum((s).fixes + (s).skipped_null_geom + (s).skipped_null_time + (s).rejected_empty
					+ (s).rejected_nonfinite + (s).rejected_out_of_range + (s).rejected_bad_time), 0)
			FROM t WHERE id IS NULL$q$, src)
		INTO n_null_id USING run, profile;
	ELSE
		-- one row per trajectory: a repeated trace id is an error that says so
		BEGIN
		EXECUTE format($q$
			WITH ins AS (
				INSERT INTO traceaudit_results.audit_trace
				SELECT $1, id, (s).fixes, (s).implausible, (s).speed, (s).spike, (s).acceleration,
					(s).duplicate_time, (s).time_backwards, (s).gap, (s).exact_duplicates,
					(s).max_speed_mps, (s).length_m, (s).duration_s, (s).t_start, (s).t_end,
					0, 0, 0, 0, 0, 0, (r).score, (r).verdict, (r).evidence
				FROM (SELECT id, trace_summary(traj, $2) AS s, trace_realism(traj) AS r
					  FROM %s WHERE id IS NOT NULL AND traj IS NOT NULL) t)
			SELECT count(*), count(*) FILTER (WHERE id IS NULL),
				count(*) FILTER (WHERE id IS NOT NULL AND traj IS NULL)
			FROM %s$q$, src, src)
		INTO n_rows, n_null_id, n_null_traj USING run, profile;
		EXCEPTION WHEN unique_violation THEN
			RAISE EXCEPTION USING ERRCODE = '23505',
				MESSAGE = format('trace_audit: trace id column %s of %s repeats a trace id', quote_ident(trace_col), qtable),
				HINT = 'A trajectory table has one row per trace; audit the point rows, or a view with one row per trace.';
		END;
	END IF;
	SELECT count(*), coalesce(sum(fixes), 0),
		jsonb_build_object('null_trace_id', n_null_id,
			'null_geom', coalesce(sum(skipped_null_geom), 0) + coalesce(n_null_traj, 0),
			'null_time', coalesce(sum(skipped_null_time), 0),
			'empty', coalesce(sum(rejected_empty), 0),
			'nonfinite', coalesce(sum(rejected_nonfinite), 0),
			'out_of_range', coalesce(sum(rejected_out_of_range), 0),
			'bad_time', coalesce(sum(rejected_bad_time), 0)),
		coalesce(sum(fixes + skipped_null_geom + skipped_null_time + rejected_empty
			+ rejected_nonfinite + rejected_out_of_range + rejected_bad_time), 0)
	INTO n_traces, n_fixes, rejected, n_kept
	FROM traceaudit_results.audit_trace WHERE run_id = run;
	IF time_col IS NOT NULL THEN
		n_rows := n_kept + n_null_id;	-- every row read lands in exactly one count
	END IF;
	RAISE NOTICE 'trace_audit %: phase 1/3 summaries and realism: % rows, % traces, % fixes in % s (% rows/s)',
		run, n_rows, n_traces, n_fixes, round(extract(epoch FROM clock_timestamp() - tp)::numeric, 1),
		round(n_rows / greatest(extract(epoch FROM clock_timestamp() - tp)::numeric, 0.001));

	-- phase 2: findings, only for traces with some.  The traces are passed
	-- as arrays (hashed = ANY) rather than joined to audit_trace, whose
	-- statistics do not know the rows this transaction just wrote.
	tp := clock_timestamp();
	SELECT coalesce(array_agg(trace_id) FILTER (WHERE implausible + gap > 0), '{}'),
		coalesce(array_agg(trace_id) FILTER (WHERE rejected_out_of_range > 0), '{}')
	INTO with_findings, out_of_range
	FROM traceaudit_results.audit_trace WHERE run_id = run;
	IF time_col IS NOT NULL THEN
		-- the summary left bad rows out; so does the line here (trace_line
		-- would fail on them).  The range test applies only to traces whose
		-- summary rejected rows as out of range, i.e. in a lon/lat SRID.
		EXECUTE format($q$
			INSERT INTO traceaudit_results.audit_finding
			SELECT $1, l.id, j.seq, j.reason, j.t_from, j.t_to, j.segment, j.distance_m, j.seconds,
				j.speed_mps, j.accel_mps2, j.limit_value, j.detail
			FROM (SELECT id, trace_line(g, ts) AS line FROM %s
				  WHERE id = ANY ($3) AND g IS NOT NULL AND ts IS NOT NULL
					AND isfinite(ts) AND NOT ST_IsEmpty(g)
					AND abs(ST_X(g)) < 'Infinity' AND abs(ST_Y(g)) < 'Infinity'
					AND (NOT id = ANY ($4) OR (abs(ST_X(g)) <= 180 AND abs(ST_Y(g)) <= 90))
				  GROUP BY id) l,
				trace_jumps(l.line, $2) j$q$, src)
		USING run, profile, with_findings, out_of_range;
	ELSE
		EXECUTE format($q$
			INSERT INTO traceaudit_results.audit_finding
			SELECT $1, src.id, j.seq, j.reason, j.t_from, j.t_to, j.segment, j.distance_m, j.seconds,
				j.speed_mps, j.accel_mps2, j.limit_value, j.detail
			FROM %s, trace_jumps(src.traj, $2) j
			WHERE src.id = ANY ($3)$q$, src)
		USING run, profile, with_findings;
	END IF;
	GET DIAGNOSTICS n_findings = ROW_COUNT;
	RAISE NOTICE 'trace_audit %: phase 2/3 findings: % findings in % s',
		run, n_findings, round(extract(epoch FROM clock_timestamp() - tp)::numeric, 1);

	-- phase 3: the dataset's density fingerprint, one pass
	tp := clock_timestamp();
	IF time_col IS NOT NULL THEN
		-- the fixes the summaries used: timed rows (the aggregate itself
		-- leaves out empty, non-finite and off-grid points)
		EXECUTE format($q$
			SELECT density_fingerprint(g, ts, id, $1, $2) FROM %s
			WHERE id IS NOT NULL AND ts IS NOT NULL AND isfinite(ts)$q$, src)
		INTO fp USING cell_m, tz;
	ELSE
		EXECUTE format($q$
			SELECT density_fingerprint(p.geom, to_timestamp(ST_M(p.geom)), src.id, $1, $2)
			FROM %s, ST_DumpPoints(src.traj) p WHERE src.id IS NOT NULL$q$, src)
		INTO fp USING cell_m, tz;
	END IF;
	RAISE NOTICE 'trace_audit %: phase 3/3 fingerprint: % rows in % s (% rows/s)',
		run, n_rows, round(extract(epoch FROM clock_timestamp() - tp)::numeric, 1),
		round(n_rows / greatest(extract(epoch FROM clock_timestamp() - tp)::numeric, 0.001));

	-- the dataset verdict from the per-trace realism
	SELECT jsonb_build_object(
		'traces', count(*),
		'real', count(*) FILTER (WHERE realism_verdict = 'real'),
		'synthetic', count(*) FILTER (WHERE realism_verdict = 'synthetic'),
		'inconclusive', count(*) FILTER (WHERE realism_verdict IS DISTINCT FROM 'real'
										   AND realism_verdict IS DISTINCT FROM 'synthetic'),
		'share_real', round((count(*) FILTER (WHERE realism_verdict = 'real'))::numeric / nullif(count(*), 0), 4),
		'share_synthetic', round((count(*) FILTER (WHERE realism_verdict = 'synthetic'))::numeric / nullif(count(*), 0), 4),
		'mean_score', round(avg(realism_score)::numeric, 4),
		'implausible_per_1000_fixes', round(1000 * sum(implausible)::numeric / nullif(sum(fixes), 0), 3))
	INTO ds FROM traceaudit_results.audit_trace WHERE run_id = run;

	INSERT INTO traceaudit_results.audit_dataset
	SELECT run, fp, (f).cell_m, (f).points, (f).devices, (f).cells, (f).gini, (f).entropy,
		(f).top1_share, (f).top10_share, (f).core_cells, (f).core_share,
		CASE WHEN (ds->>'real')::int + (ds->>'synthetic')::int = 0 THEN 'inconclusive'
			 WHEN (ds->>'synthetic')::numeric / ((ds->>'real')::int + (ds->>'synthetic')::int) >= 0.5 THEN 'synthetic'
			 WHEN (ds->>'synthetic')::numeric / ((ds->>'real')::int + (ds->>'synthetic')::int) >= 0.1 THEN 'mixed'
			 ELSE 'real' END,
		ds
	FROM (SELECT fingerprint_summary(fp) AS f) x;

	UPDATE traceaudit_results.audit_run SET
		finished = clock_timestamp(),
		duration_s = extract(epoch FROM clock_timestamp() - t0),
		rows_read = n_rows, fixes = n_fixes, traces = n_traces,
		rows_rejected = rejected, status = 'done'
	WHERE id = run;
	RAISE NOTICE 'trace_audit %: done: % rows, % traces, % findings in % s', run, n_rows, n_traces,
		n_findings, round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
	RETURN run;
END
$$
SET search_path FROM CURRENT;
COMMENT ON FUNCTION trace_audit(regclass, text, text, text, jsonb) IS
	'audits a table of point rows (time_col given) or LINESTRING M trajectories (time_col NULL); results in traceaudit_results; returns the audit id';

-- trace_audit_report: a readable report of one audit for psql (\pset
-- format unaligned or \x off both show it; one line per row of text)
CREATE FUNCTION trace_audit_report(audit_id bigint)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY INVOKER
AS $$
DECLARE
	r traceaudit_results.audit_run;
	d traceaudit_results.audit_dataset;
	out text[];
	line text;
BEGIN
	SELECT * INTO r FROM traceaudit_results.audit_run WHERE id = audit_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('trace_audit_report: no audit %s', audit_id),
			HINT = 'See SELECT id, table_name, started FROM traceaudit_results.audit_run.';
	END IF;
	SELECT * INTO d FROM traceaudit_results.audit_dataset WHERE run_id = audit_id;

	out := ARRAY[
		format('Audit %s of %s (%s; trace %s, %sgeometry %s) by %s, %s',
			r.id, r.table_name, r.kind, quote_ident(r.trace_col),
			CASE WHEN r.time_col IS NULL THEN '' ELSE 'time ' || quote_ident(r.time_col) || ', ' END,
			quote_ident(r.geom_col), r.run_by, r.status),
		format('  options %s; started %s, %s s', r.options, to_char(r.started AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'),
			round(r.duration_s::numeric, 1)),
		format('  rows read %s: %s fixes in %s traces; rejected %s', r.rows_read, r.fixes, r.traces,
			coalesce((SELECT string_agg(format('%s %s', key, value), ', ' ORDER BY key)
					  FROM jsonb_each(r.rows_rejected) WHERE value::text <> '0'), 'none')),
		'',
		format('Dataset verdict: %s', coalesce(d.verdict, 'none')),
		format('  traces real %s, synthetic %s, inconclusive %s (share real %s, synthetic %s); mean realism score %s',
			d.evidence->>'real', d.evidence->>'synthetic', d.evidence->>'inconclusive',
			d.evidence->>'share_real', d.evidence->>'share_synthetic', d.evidence->>'mean_score'),
		format('  implausible jumps per 1000 fixes: %s', d.evidence->>'implausible_per_1000_fixes'),
		'',
		'Findings by reason:'];
	out := out || coalesce((SELECT array_agg(format('  %-15s %8s findings in %s traces', reason, n, t) ORDER BY n DESC, reason)
		FROM (SELECT reason, count(*) AS n, count(DISTINCT trace_id) AS t
			  FROM traceaudit_results.audit_finding WHERE run_id = audit_id GROUP BY reason) f),
		ARRAY['  none']);

	out := out || ARRAY['', 'Most suspicious traces (implausible jumps per fix, then lowest realism):',
		format('  %-24s %8s %11s %8s %-12s', 'trace', 'fixes', 'implausible', 'realism', 'verdict')];
	out := out || coalesce((SELECT array_agg(format('  %-24s %8s %11s %8s %-12s', left(trace_id, 24), fixes,
				implausible, coalesce(round(realism_score::numeric, 3)::text, '-'), coalesce(realism_verdict, '-'))
			ORDER BY k)
		FROM (SELECT *, row_number() OVER (ORDER BY implausible::float8 / greatest(fixes, 1) DESC,
					realism_score ASC NULLS LAST, trace_id) AS k
			  FROM traceaudit_results.audit_trace WHERE run_id = audit_id) t WHERE k <= 10),
		ARRAY['  none']);

	out := out || ARRAY['', format('Density (cells of %s m): %s points, %s devices, %s cells',
			d.cell_m, d.points, d.devices, d.cells),
		format('  gini %s, entropy %s, top 10%% of cells hold %s of points, core %s cells hold %s',
			round(d.gini::numeric, 3), round(d.entropy::numeric, 3), round(d.top10_share::numeric, 3),
			d.core_cells, round(d.core_share::numeric, 3))];
	RETURN array_to_string(out, E'\n');
END
$$
SET search_path FROM CURRENT;
COMMENT ON FUNCTION trace_audit_report(bigint) IS
	'readable report of an audit: run, dataset verdict and evidence, findings by reason, 10 most suspicious traces, density summary';

-- Dashboard views: the column names and types are stable (documented in
-- README.md, "Audits of whole tables"); new columns are only ever added
-- at the end.
CREATE VIEW traceaudit_results.trace_scores AS
SELECT t.run_id, r.table_name, r.finished, t.trace_id, t.fixes, t.implausible,
	round((1000.0 * t.implausible / nullif(t.fixes, 0))::numeric, 3) AS implausible_per_1000_fixes,
	t.speed, t.spike, t.acceleration, t.duplicate_time, t.time_backwards, t.gap,
	t.max_speed_mps, t.length_m, t.t_start, t.t_end,
	t.realism_score, t.realism_verdict
FROM traceaudit_results.audit_trace t JOIN traceaudit_results.audit_run r ON r.id = t.run_id;
COMMENT ON VIEW traceaudit_results.trace_scores IS
	'per trace of every audit: findings, implausible jumps per 1000 fixes, realism score and verdict';

CREATE VIEW traceaudit_results.findings_per_day AS
SELECT f.run_id, (f.t_from AT TIME ZONE (r.options->>'tz'))::date AS day, f.reason,
	count(*) AS findings, count(DISTINCT f.trace_id) AS traces
FROM traceaudit_results.audit_finding f JOIN traceaudit_results.audit_run r ON r.id = f.run_id
GROUP BY 1, 2, 3;
COMMENT ON VIEW traceaudit_results.findings_per_day IS
	'findings per audit, day (in the audit''s tz option) and reason, with the number of traces';

CREATE VIEW traceaudit_results.findings_geojson AS
SELECT f.run_id, f.trace_id, f.seq, f.reason, f.t_from, f.t_to, f.speed_mps, f.detail,
	ST_AsGeoJSON(ST_Force2D(ST_Transform(f.segment, 4326)))::jsonb AS geojson
FROM traceaudit_results.audit_finding f;
COMMENT ON VIEW traceaudit_results.findings_geojson IS
	'findings with their segment as GeoJSON (WGS 84, 2D)';

CREATE VIEW traceaudit_results.fingerprint_cells AS
SELECT d.run_id, c.cell_row, c.cell_col, c.cell, c.points, c.devices, c.suppressed_cells
FROM traceaudit_results.audit_dataset d
	JOIN traceaudit_results.audit_run r ON r.id = d.run_id,
	fingerprint_cells(d.fingerprint, (r.options->>'min_devices')::int) c;
COMMENT ON VIEW traceaudit_results.fingerprint_cells IS
	'the cells of each audit''s fingerprint, hiding cells seen by fewer than the audit''s min_devices devices (summed in a row with NULL cell)';
