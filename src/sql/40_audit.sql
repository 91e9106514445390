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
-- To let a role run audits (DELETE: incremental runs replace the results of
-- the traces they re-audit):
--   GRANT USAGE ON SCHEMA traceaudit_results TO auditor;
--   GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA traceaudit_results TO auditor;
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
					CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
	mode			text NOT NULL DEFAULT 'full' CHECK (mode IN ('full', 'incremental')),
	base_id			bigint REFERENCES traceaudit_results.audit_run ON DELETE CASCADE,
	watermark		jsonb,
	read_detail		jsonb
);
COMMENT ON TABLE traceaudit_results.audit_run IS
	'one row per trace_audit() call: table, columns, options, who, when, rows read, rows rejected by reason, duration, status; incremental runs point at the audit whose results they update (base_id)';
COMMENT ON COLUMN traceaudit_results.audit_run.base_id IS
	'the audit whose results this run wrote: its own id for a full run, the first full run''s id for an incremental one';
COMMENT ON COLUMN traceaudit_results.audit_run.watermark IS
	'the largest value of the watermark column (ingest_col, else the time column) this run saw: the next incremental run reads rows above it';
COMMENT ON COLUMN traceaudit_results.audit_run.read_detail IS
	'what an incremental run read: new rows, traces re-audited (new, late, gone), rows re-read, rows counted by the verify scan, how the fingerprint was updated';
COMMENT ON COLUMN traceaudit_results.audit_run.fixes IS
	'fixes in the audit''s results after this run (all traces, re-read or not)';

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
	audited_by		bigint,
	realism_item	bytea,
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
	evidence		jsonb,
	null_trace_rows	bigint,
	updated_by		bigint,
	score			float8
);
COMMENT ON TABLE traceaudit_results.audit_dataset IS
	'per audit: density fingerprint and its summary, and the dataset verdict (real/mixed/synthetic/inconclusive), score and evidence of dataset_realism over the per-trace items and the fingerprint';

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

-- the dataset row of an audit from its per-trace results and fingerprint
-- (a full run inserts it, an incremental run replaces it)
CREATE FUNCTION traceaudit_results.audit_store_dataset(results bigint, run bigint, fp fingerprint,
	null_rows bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
	ds jsonb;
	dr dataset_realism;
BEGIN
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
	INTO ds FROM traceaudit_results.audit_trace WHERE run_id = results;

	-- the dataset verdict: dataset_realism over the stored per-trace items
	-- and the fingerprint (population evidence: clones, clocks, precision,
	-- density), with the per-trace counts above
	dr := (SELECT dataset_realism(realism_item, fp)
		   FROM traceaudit_results.audit_trace WHERE run_id = results);

	DELETE FROM traceaudit_results.audit_dataset WHERE run_id = results;
	INSERT INTO traceaudit_results.audit_dataset
	SELECT results, fp, (f).cell_m, (f).points, (f).devices, (f).cells, (f).gini, (f).entropy,
		(f).top1_share, (f).top10_share, (f).core_cells, (f).core_share,
		coalesce(dr.verdict, 'inconclusive'), coalesce(dr.evidence, '{}') || ds, null_rows, run, dr.score
	FROM (SELECT fingerprint_summary(fp) AS f) x;
END
$$;

-- progress reporting of the C aggregates (see README, "Progress"): a label
-- and an estimated row count for the phase about to run
CREATE FUNCTION traceaudit_results.audit_progress(label text, total float8)
RETURNS void
LANGUAGE sql VOLATILE
AS $$
	SELECT set_config('traceaudit.progress_label', label, true),
		set_config('traceaudit.progress_total', total::text, true);
$$;

CREATE FUNCTION trace_audit(tbl regclass, trace_col text, time_col text, geom_col text,
	options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $$
DECLARE
	known CONSTANT text[] := ARRAY['profile', 'cell_m', 'tz', 'min_devices', 'incremental',
		'ingest_col', 'verify', 'progress'];
	-- options an incremental run takes from the audit it continues
	inherited CONSTANT text[] := ARRAY['profile', 'cell_m', 'tz', 'min_devices', 'ingest_col'];
	opts jsonb;
	profile text;
	cell_m float8;
	tz text;
	min_devices int;
	incremental boolean;
	verify boolean;
	progress float8;
	wcol text;			-- the watermark column: ingest_col, else the time column
	w_type regtype;
	trace_type regtype;
	qtable text;
	geom_type regtype;
	time_type regtype;
	run bigint;
	results bigint;		-- the audit whose results this run writes (base_id)
	prev traceaudit_results.audit_run;
	prev_fp fingerprint;
	prev_null bigint;
	wm_prev jsonb;
	wm_new jsonb;
	wm_cond text;		-- "the row is above the previous watermark", in SQL
	touched text[];
	gone text[];
	n_new bigint;
	n_late int := 0;
	n_fresh int := 0;
	n_counted bigint;
	fp_how text;
	filter text := '';	-- restricts the audited rows to the touched traces
	t0 timestamptz := clock_timestamp();
	tp timestamptz;
	est float8;
	n_rows bigint;
	n_traces bigint;
	n_fixes bigint;
	n_findings bigint;
	n_null_id bigint;
	n_null bigint;
	n_null_traj bigint;
	late_expr text;
	n_kept bigint;
	with_findings text[];
	out_of_range text[];
	rejected jsonb;
	cols text;		-- the audited columns: id, g, ts (points) or id, traj; w when there is a watermark
	src text;		-- the audited rows as a FROM item (the touched traces when incremental)
	src_all text;	-- the same without the filter
	fp_sql text;	-- the fingerprint query over a FROM item
	fp fingerprint;
	fp_old fingerprint;
	fp_now fingerprint;
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
	opts := jsonb_build_object('profile', 'car', 'cell_m', 1000, 'tz', 'UTC', 'min_devices', 5,
		'incremental', false, 'verify', true, 'progress', 10) || coalesce(options, '{}');
	SELECT string_agg(format('%s must be a %s, not %s', k, t, opts->k), '; ') INTO bad
	FROM (VALUES ('profile', 'string'), ('cell_m', 'number'), ('tz', 'string'), ('min_devices', 'number'),
		('incremental', 'boolean'), ('ingest_col', 'string'), ('verify', 'boolean'), ('progress', 'number')) v(k, t)
	WHERE opts ? k AND jsonb_typeof(opts->k) <> t;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('trace_audit: option %s', bad),
			HINT = 'For example {"incremental": true, "ingest_col": "received_at", "cell_m": 500, "progress": 5}.';
	END IF;
	incremental := (opts->>'incremental')::boolean;

	-- names: the table through regclass, columns checked against pg_attribute
	SELECT format('%I.%I', n.nspname, c.relname) INTO qtable
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = tbl;

	-- an incremental run continues the latest audit of the same table and
	-- columns, with its options; the first one is a full audit
	IF incremental THEN
		SELECT * INTO prev FROM traceaudit_results.audit_run r
		WHERE r.table_name = qtable AND r.trace_col = trace_audit.trace_col
			AND r.time_col IS NOT DISTINCT FROM trace_audit.time_col AND r.geom_col = trace_audit.geom_col
			AND r.status = 'done'
		ORDER BY r.id DESC LIMIT 1;
		IF NOT FOUND THEN
			RAISE NOTICE 'trace_audit: no earlier audit of % with these columns: running a full audit', qtable;
			incremental := false;
		ELSE
			-- one run at a time per audit: wait for a concurrent one, then
			-- continue from what it committed
			results := prev.base_id;
			PERFORM 1 FROM traceaudit_results.audit_run WHERE id = results FOR UPDATE;
			SELECT * INTO prev FROM traceaudit_results.audit_run r
			WHERE r.base_id = results AND r.status = 'done' ORDER BY r.id DESC LIMIT 1;
			SELECT string_agg(format('%s (%s, was %s)', k, options->k, coalesce(prev.options->>k, 'not set')), ', ') INTO bad
			FROM unnest(inherited) k
			WHERE options ? k AND options->k IS DISTINCT FROM prev.options->k;
			IF bad IS NOT NULL THEN
				RAISE EXCEPTION USING ERRCODE = '22023',
					MESSAGE = format('trace_audit: an incremental audit of %s cannot change option %s', qtable, bad),
					HINT = 'Run a full audit ("incremental": false) to audit with other options.';
			END IF;
			opts := opts || (SELECT coalesce(jsonb_object_agg(k, prev.options->k), '{}')
							 FROM unnest(inherited) k WHERE prev.options ? k);
		END IF;
	END IF;
	profile := opts->>'profile';
	cell_m := (opts->>'cell_m')::float8;
	tz := opts->>'tz';
	min_devices := (opts->>'min_devices')::int;
	verify := (opts->>'verify')::boolean;
	progress := (opts->>'progress')::float8;
	PERFORM now() AT TIME ZONE tz;		-- an unknown zone fails here, before any work
	-- an unknown profile fails here too
	PERFORM trace_summary('SRID=4326;LINESTRING M (0 0 0, 0 0 1)'::geometry, profile);

	trace_type := traceaudit_results.audit_column_type(tbl, trace_col, 'trace');
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
	END IF;
	wcol := coalesce(opts->>'ingest_col', time_col);
	IF opts ? 'ingest_col' THEN
		w_type := traceaudit_results.audit_column_type(tbl, opts->>'ingest_col', 'ingest');
		IF w_type NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype, 'bigint'::regtype,
						  'integer'::regtype, 'smallint'::regtype, 'numeric'::regtype) THEN
			RAISE EXCEPTION USING ERRCODE = '42804',
				MESSAGE = format('trace_audit: ingest column %s of %s is %s, not a time or a number',
					quote_ident(opts->>'ingest_col'), qtable, w_type),
				HINT = 'Name a column that grows as rows arrive: a timestamptz set on insert, or a bigserial.';
		END IF;
	ELSE
		w_type := time_type;
	END IF;
	IF (opts->>'incremental')::boolean AND wcol IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('trace_audit: an incremental audit of trajectories in %s needs option ingest_col', qtable),
			HINT = 'Name a column that grows when a trajectory is inserted or replaced, e.g. "ingest_col": "updated_at".';
	END IF;

	-- the caller must be able to read the table (SECURITY INVOKER): fail
	-- on it before anything is written
	EXECUTE format('SELECT FROM %s LIMIT 0', qtable);

	INSERT INTO traceaudit_results.audit_run (table_name, trace_col, time_col, geom_col, kind, options, mode)
	VALUES (qtable, trace_col, time_col, geom_col,
		CASE WHEN time_col IS NULL THEN 'trajectories' ELSE 'points' END, opts,
		CASE WHEN incremental THEN 'incremental' ELSE 'full' END)
	RETURNING id INTO run;
	results := coalesce(results, run);
	UPDATE traceaudit_results.audit_run SET base_id = results WHERE id = run;
	RAISE NOTICE 'trace_audit %: auditing % (%)', run, qtable,
		CASE WHEN time_col IS NULL THEN 'trajectories' ELSE 'point rows' END
		|| CASE WHEN incremental THEN format(', incremental: continues audit %s above %s %s',
			results, quote_ident(wcol), coalesce(prev.watermark #>> '{}', '(no rows yet)')) ELSE '' END;
	PERFORM set_config('traceaudit.progress_interval', progress::text, true);
	SELECT greatest(c.reltuples, 0) INTO est FROM pg_catalog.pg_class c WHERE c.oid = tbl;

	cols := CASE WHEN time_col IS NOT NULL
			THEN format('%I::text AS id, %I AS g, %I AS ts', trace_col, geom_col, time_col)
			ELSE format('%I::text AS id, %I AS traj', trace_col, geom_col) END
		|| CASE WHEN wcol IS NOT NULL THEN format(', %I AS w', wcol) ELSE '' END;
	src_all := format('(SELECT %s FROM %s) AS src', cols, qtable);
	-- the fixes the summaries used: timed rows (the aggregate itself leaves
	-- out empty, non-finite and off-grid points), or the trajectories' vertices
	fp_sql := CASE WHEN time_col IS NOT NULL
		THEN 'SELECT density_fingerprint(g, ts, id, $1, $2) FROM %s
			  WHERE id IS NOT NULL AND ts IS NOT NULL AND isfinite(ts)'
		ELSE 'SELECT density_fingerprint(p.geom, to_timestamp(ST_M(p.geom)), src.id, $1, $2)
			  FROM %s, ST_DumpPoints(src.traj) p WHERE src.id IS NOT NULL' END;

	-- incremental: which traces to re-audit.  Traces with rows above the
	-- watermark; with verify, also traces whose row count no longer matches
	-- what the audit accounted for (late rows below the watermark, deleted
	-- rows), found by one scan that reads only the trace id and watermark.
	IF incremental THEN
		wm_prev := prev.watermark;
		wm_cond := CASE WHEN wm_prev IS NULL THEN 'w IS NOT NULL'
			ELSE format('w > %L::%s', wm_prev #>> '{}', w_type) END;
		SELECT d.fingerprint, coalesce(d.null_trace_rows, 0) INTO prev_fp, prev_null
		FROM traceaudit_results.audit_dataset d WHERE d.run_id = results;
		PERFORM traceaudit_results.audit_progress(format('trace_audit %s: finding new rows', run), est);
		-- a trajectory row has no count to compare: only new and gone ones count
		late_expr := CASE WHEN time_col IS NULL THEN 'false' ELSE 'n - n_new <> had' END;
		IF verify OR time_col IS NULL THEN
			EXECUTE format($q$
				WITH c AS (
					SELECT id, count(*) AS n, count(*) FILTER (WHERE %s) AS n_new, max(w) AS w_max
					FROM %s GROUP BY id),
				j AS (
					SELECT coalesce(c.id, a.trace_id) AS id, c.n, c.n_new, c.w_max,
						a.fixes + a.skipped_null_geom + a.skipped_null_time + a.rejected_empty
							+ a.rejected_nonfinite + a.rejected_out_of_range + a.rejected_bad_time AS had,
						a.trace_id IS NOT NULL AS known
					FROM c FULL JOIN (SELECT * FROM traceaudit_results.audit_trace WHERE run_id = $1) a
						ON a.trace_id = c.id)
				SELECT coalesce(array_agg(id) FILTER (WHERE id IS NOT NULL AND n IS NOT NULL
						AND (n_new > 0 OR NOT known OR %3$s)), '{}'),
					coalesce(array_agg(id) FILTER (WHERE id IS NOT NULL AND n IS NULL), '{}'),
					coalesce(sum(n_new), 0),
					count(*) FILTER (WHERE id IS NOT NULL AND n IS NOT NULL AND known AND %3$s),
					count(*) FILTER (WHERE id IS NOT NULL AND NOT known),
					coalesce(sum(n), 0),
					to_jsonb(max(w_max)),
					coalesce(sum(n) FILTER (WHERE id IS NULL), 0)
				FROM j$q$, wm_cond, src_all, late_expr)
			INTO touched, gone, n_new, n_late, n_fresh, n_counted, wm_new, n_null_id USING results;
		ELSE
			EXECUTE format($q$
				SELECT coalesce(array_agg(DISTINCT id) FILTER (WHERE id IS NOT NULL), '{}'), count(*),
					to_jsonb(max(w)), count(*) FILTER (WHERE id IS NULL)
				FROM %s WHERE %s$q$, src_all, wm_cond)
			INTO touched, n_new, wm_new, n_null_id;
			gone := '{}';
			n_null_id := prev_null + n_null_id;
			SELECT count(*) INTO n_fresh FROM unnest(touched) t(id)
			WHERE NOT EXISTS (SELECT FROM traceaudit_results.audit_trace a WHERE a.run_id = results AND a.trace_id = t.id);
		END IF;
		wm_new := coalesce(wm_new, wm_prev);
		filter := format(' WHERE %I = ANY (%L::text[]::%s[])', trace_col, touched, trace_type);
		DELETE FROM traceaudit_results.audit_finding WHERE run_id = results AND trace_id = ANY (touched || gone);
		DELETE FROM traceaudit_results.audit_trace WHERE run_id = results AND trace_id = ANY (touched || gone);
		est := n_new;
		RAISE NOTICE 'trace_audit %: % new rows above the watermark; re-auditing % traces (% new, % with late or deleted rows), % traces gone',
			run, n_new, cardinality(touched), n_fresh, n_late, cardinality(gone);
	ELSE
		IF wcol IS NOT NULL THEN
			-- the watermark for the next incremental run: its index makes this cheap
			EXECUTE format('SELECT to_jsonb(max(%I)) FROM %s', wcol, qtable) INTO wm_new;
		END IF;
	END IF;

	src := format('(SELECT %s FROM %s%s) AS src', cols, qtable, filter);

	-- phase 1: per-trace jump summary and realism, one GROUP BY pass
	tp := clock_timestamp();
	PERFORM traceaudit_results.audit_progress(format('trace_audit %s: phase 1/3 summaries and realism', run), est);
	IF time_col IS NOT NULL THEN
		-- rows with a NULL trace id form one group, counted but not kept
		EXECUTE format($q$
			WITH t AS MATERIALIZED (
				SELECT id, trace_summary(g, ts, $2) AS s, trace_realism(g, ts, $2) AS r,
					trace_realism_item(g, ts, $2) AS it
				FROM %s GROUP BY id),
			ins AS (
				INSERT INTO traceaudit_results.audit_trace
				SELECT $1, id, (s).fixes, (s).implausible, (s).speed, (s).spike, (s).acceleration,
					(s).duplicate_time, (s).time_backwards, (s).gap, (s).exact_duplicates,
					(s).max_speed_mps, (s).length_m, (s).duration_s, (s).t_start, (s).t_end,
					(s).skipped_null_geom, (s).skipped_null_time, (s).rejected_empty,
					(s).rejected_nonfinite, (s).rejected_out_of_range, (s).rejected_bad_time,
					(r).score, (r).verdict, (r).evidence, $3, it
				FROM t WHERE id IS NOT NULL)
			SELECT coalesce(sum((s).fixes + (s).skipped_null_geom + (s).skipped_null_time + (s).rejected_empty
					+ (s).rejected_nonfinite + (s).rejected_out_of_range + (s).rejected_bad_time), 0),
				(SELECT coalesce(sum((s).fixes + (s).skipped_null_geom + (s).skipped_null_time + (s).rejected_empty
					+ (s).rejected_nonfinite + (s).rejected_out_of_range + (s).rejected_bad_time), 0)
				 FROM t WHERE id IS NULL)
			FROM t$q$, src)
		INTO n_rows, n_null USING results, profile, run;
		IF NOT incremental THEN
			n_null_id := n_null;
		END IF;
	ELSE
		-- one row per trajectory: a repeated trace id is an error that says so
		BEGIN
		EXECUTE format($q$
			WITH ins AS (
				INSERT INTO traceaudit_results.audit_trace
				SELECT $1, id, (s).fixes, (s).implausible, (s).speed, (s).spike, (s).acceleration,
					(s).duplicate_time, (s).time_backwards, (s).gap, (s).exact_duplicates,
					(s).max_speed_mps, (s).length_m, (s).duration_s, (s).t_start, (s).t_end,
					0, 0, 0, 0, 0, 0, (r).score, (r).verdict, (r).evidence, $3, trace_realism_item(traj)
				FROM (SELECT id, traj, trace_summary(traj, $2) AS s, trace_realism(traj) AS r
					  FROM %s WHERE id IS NOT NULL AND traj IS NOT NULL) t)
			SELECT count(*), count(*) FILTER (WHERE id IS NULL),
				count(*) FILTER (WHERE id IS NOT NULL AND traj IS NULL)
			FROM %s$q$, src, src)
		INTO n_rows, n_null, n_null_traj USING results, profile, run;
		EXCEPTION WHEN unique_violation THEN
			RAISE EXCEPTION USING ERRCODE = '23505',
				MESSAGE = format('trace_audit: trace id column %s of %s repeats a trace id', quote_ident(trace_col), qtable),
				HINT = 'A trajectory table has one row per trace; audit the point rows, or a view with one row per trace.';
		END;
		IF NOT incremental THEN
			n_null_id := n_null;
		END IF;
	END IF;
	SELECT count(*), coalesce(sum(fixes), 0),
		jsonb_build_object('null_trace_id', n_null_id,
			'null_geom', coalesce(sum(skipped_null_geom), 0) + coalesce(n_null_traj, 0),
			'null_time', coalesce(sum(skipped_null_time), 0),
			'empty', coalesce(sum(rejected_empty), 0),
			'nonfinite', coalesce(sum(rejected_nonfinite), 0),
			'out_of_range', coalesce(sum(rejected_out_of_range), 0),
			'bad_time', coalesce(sum(rejected_bad_time), 0))
	INTO n_traces, n_fixes, rejected
	FROM traceaudit_results.audit_trace WHERE run_id = results;
	RAISE NOTICE 'trace_audit %: phase 1/3 summaries and realism: % rows, % traces, % fixes in % s (% rows/s)',
		run, n_rows, n_traces, n_fixes, round(extract(epoch FROM clock_timestamp() - tp)::numeric, 1),
		round(n_rows / greatest(extract(epoch FROM clock_timestamp() - tp)::numeric, 0.001));

	-- phase 2: findings, only for traces with some.  The traces are passed
	-- as arrays (hashed = ANY) rather than joined to audit_trace, whose
	-- statistics do not know the rows this transaction just wrote.
	tp := clock_timestamp();
	PERFORM traceaudit_results.audit_progress(format('trace_audit %s: phase 2/3 findings', run), 0);
	SELECT coalesce(array_agg(trace_id) FILTER (WHERE implausible + gap > 0), '{}'),
		coalesce(array_agg(trace_id) FILTER (WHERE rejected_out_of_range > 0), '{}')
	INTO with_findings, out_of_range
	FROM traceaudit_results.audit_trace WHERE run_id = results AND audited_by = run;
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
		USING results, profile, with_findings, out_of_range;
	ELSE
		EXECUTE format($q$
			INSERT INTO traceaudit_results.audit_finding
			SELECT $1, src.id, j.seq, j.reason, j.t_from, j.t_to, j.segment, j.distance_m, j.seconds,
				j.speed_mps, j.accel_mps2, j.limit_value, j.detail
			FROM %s, trace_jumps(src.traj, $2) j
			WHERE src.id = ANY ($3)$q$, src)
		USING results, profile, with_findings;
	END IF;
	GET DIAGNOSTICS n_findings = ROW_COUNT;
	RAISE NOTICE 'trace_audit %: phase 2/3 findings: % findings in % s',
		run, n_findings, round(extract(epoch FROM clock_timestamp() - tp)::numeric, 1);

	-- phase 3: the dataset's density fingerprint, one pass.  Incremental:
	-- devices are traces, so the fingerprint of the re-read traces as they
	-- were (rows up to the watermark) is subtracted and the one of them as
	-- they are now added; late or deleted rows make that inexact, and then
	-- the whole table is fingerprinted again.
	tp := clock_timestamp();
	PERFORM traceaudit_results.audit_progress(format('trace_audit %s: phase 3/3 fingerprint', run), est);
	IF incremental AND prev_fp IS NOT NULL AND n_late = 0 AND cardinality(gone) = 0 AND time_col IS NOT NULL THEN
		EXECUTE format($q$
			SELECT density_fingerprint(g, ts, id, $1, $2),
				density_fingerprint(g, ts, id, $1, $2) FILTER (WHERE NOT (%s))
			FROM %s WHERE id IS NOT NULL AND ts IS NOT NULL AND isfinite(ts)$q$, wm_cond, src)
		INTO fp_now, fp_old USING cell_m, tz;
		BEGIN
			fp := prev_fp;
			IF fp_old IS NOT NULL THEN
				fp := fingerprint_subtract(fp, fp_old);
			END IF;
			IF fp_now IS NOT NULL THEN
				fp := fingerprint_add(fp, fp_now);
			END IF;
			fp_how := CASE WHEN cardinality(touched) = 0 THEN 'unchanged' ELSE 'updated from the re-read traces' END;
		EXCEPTION WHEN invalid_parameter_value THEN
			fp := NULL;		-- the re-read traces were not what the audit saw: start over
		END;
	ELSIF incremental AND prev_fp IS NOT NULL AND cardinality(gone) = 0 AND time_col IS NULL AND n_fresh = cardinality(touched) THEN
		-- only new trajectories: add theirs
		EXECUTE format(fp_sql, src) INTO fp_now USING cell_m, tz;
		fp := CASE WHEN fp_now IS NULL THEN prev_fp ELSE fingerprint_add(prev_fp, fp_now) END;
		fp_how := 'new trajectories added';
	END IF;
	IF fp IS NULL AND NOT (incremental AND prev_fp IS NOT NULL AND cardinality(touched) = 0
						   AND cardinality(gone) = 0) THEN
		IF incremental THEN
			fp_how := 'recomputed over the whole table';
		END IF;
		EXECUTE format(fp_sql, src_all) INTO fp USING cell_m, tz;
	ELSIF fp IS NULL THEN
		fp := prev_fp;
		fp_how := 'unchanged';
	END IF;
	RAISE NOTICE 'trace_audit %: phase 3/3 fingerprint: % in % s', run,
		coalesce(fp_how, format('%s rows', n_rows)), round(extract(epoch FROM clock_timestamp() - tp)::numeric, 1);

	PERFORM traceaudit_results.audit_store_dataset(results, run, fp, n_null_id);
	UPDATE traceaudit_results.audit_run SET
		finished = clock_timestamp(),
		duration_s = extract(epoch FROM clock_timestamp() - t0),
		rows_read = n_rows, fixes = n_fixes, traces = n_traces,
		rows_rejected = rejected, status = 'done',
		watermark = wm_new,
		read_detail = CASE WHEN incremental THEN jsonb_build_object(
			'watermark_col', wcol, 'from', wm_prev, 'to', wm_new, 'new_rows', n_new,
			'traces_reaudited', cardinality(touched), 'traces_new', n_fresh, 'traces_late', n_late,
			'traces_gone', cardinality(gone), 'rows_reread', n_rows,
			'rows_counted', CASE WHEN verify OR trace_audit.time_col IS NULL THEN n_counted END,
			'fingerprint', fp_how) END
	WHERE id = run;
	PERFORM set_config('traceaudit.progress_interval', '0', true);
	RAISE NOTICE 'trace_audit %: done: % rows, % traces, % findings in % s', run, n_rows, n_traces,
		n_findings, round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
	RETURN run;
END
$$
SET search_path FROM CURRENT;
COMMENT ON FUNCTION trace_audit(regclass, text, text, text, jsonb) IS
	'audits a table of point rows (time_col given) or LINESTRING M trajectories (time_col NULL), fully or incrementally; results in traceaudit_results; returns the run id';

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
	results bigint;
BEGIN
	SELECT * INTO r FROM traceaudit_results.audit_run WHERE id = audit_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('trace_audit_report: no audit %s', audit_id),
			HINT = 'See SELECT id, table_name, started FROM traceaudit_results.audit_run.';
	END IF;
	-- an incremental run reports the results it updated
	results := coalesce(r.base_id, r.id);
	SELECT * INTO d FROM traceaudit_results.audit_dataset WHERE run_id = results;

	out := ARRAY[
		format('Audit %s of %s (%s; trace %s, %sgeometry %s) by %s, %s',
			r.id, r.table_name, r.kind, quote_ident(r.trace_col),
			CASE WHEN r.time_col IS NULL THEN '' ELSE 'time ' || quote_ident(r.time_col) || ', ' END,
			quote_ident(r.geom_col), r.run_by, r.status),
		format('  options %s; started %s, %s s', r.options, to_char(r.started AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'),
			round(r.duration_s::numeric, 1)),
		format('  rows read %s: %s fixes in %s traces; rejected %s', r.rows_read, r.fixes, r.traces,
			coalesce((SELECT string_agg(format('%s %s', key, value), ', ' ORDER BY key)
					  FROM jsonb_each(r.rows_rejected) WHERE value::text <> '0'), 'none'))]
		|| CASE WHEN r.mode = 'incremental' THEN ARRAY[
			format('  incremental run of audit %s: %s new rows above %s %s; %s traces re-audited (%s new, %s with late or deleted rows), %s gone; fingerprint %s',
				results, r.read_detail->>'new_rows', quote_ident(r.read_detail->>'watermark_col'),
				coalesce(r.read_detail->'from' #>> '{}', '(none)'), r.read_detail->>'traces_reaudited',
				r.read_detail->>'traces_new', r.read_detail->>'traces_late', r.read_detail->>'traces_gone',
				r.read_detail->>'fingerprint')] ELSE '{}'::text[] END
		|| ARRAY[
		'',
		format('Dataset verdict: %s%s', coalesce(d.verdict, 'none'),
			CASE WHEN d.score IS NOT NULL THEN format(' (score %s)', round(d.score::numeric, 3)) ELSE '' END)]
		|| coalesce((SELECT array_agg('  ' || (e->>'explanation') ORDER BY k)
			FROM jsonb_array_elements(d.evidence->'features') WITH ORDINALITY AS x(e, k)
			WHERE k <= 3), '{}')
		|| ARRAY[
		format('  traces real %s, synthetic %s, inconclusive %s (share real %s, synthetic %s); mean realism score %s',
			d.evidence->>'real', d.evidence->>'synthetic', d.evidence->>'inconclusive',
			d.evidence->>'share_real', d.evidence->>'share_synthetic', d.evidence->>'mean_score'),
		format('  implausible jumps per 1000 fixes: %s', d.evidence->>'implausible_per_1000_fixes'),
		'',
		'Findings by reason:'];
	out := out || coalesce((SELECT array_agg(format('  %-15s %8s findings in %s traces', reason, n, t) ORDER BY n DESC, reason)
		FROM (SELECT reason, count(*) AS n, count(DISTINCT trace_id) AS t
			  FROM traceaudit_results.audit_finding WHERE run_id = results GROUP BY reason) f),
		ARRAY['  none']);

	out := out || ARRAY['', 'Most suspicious traces (implausible jumps per fix, then lowest realism):',
		format('  %-24s %8s %11s %8s %-12s', 'trace', 'fixes', 'implausible', 'realism', 'verdict')];
	out := out || coalesce((SELECT array_agg(format('  %-24s %8s %11s %8s %-12s', left(trace_id, 24), fixes,
				implausible, coalesce(round(realism_score::numeric, 3)::text, '-'), coalesce(realism_verdict, '-'))
			ORDER BY k)
		FROM (SELECT *, row_number() OVER (ORDER BY implausible::float8 / greatest(fixes, 1) DESC,
					realism_score ASC NULLS LAST, trace_id) AS k
			  FROM traceaudit_results.audit_trace WHERE run_id = results) t WHERE k <= 10),
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
	t.realism_score, t.realism_verdict, t.audited_by
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
