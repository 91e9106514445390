-- Shared by the benchmark scripts: pg_temp.bench(name, query, runs) runs a
-- query runs times and records each duration in bench_time;
-- pg_temp.bench_rounds(names, queries, runs) runs rounds of all the queries,
-- each once per round in the given order, so that a slow spell of the
-- machine (this one varies by 10-15%) falls on all of them alike, not on
-- one query's runs.  :runs defaults to 3.
\if :{?runs}
\else
\set runs 3
\endif
CREATE TEMP TABLE bench_time (name text, run int, ms float8);

CREATE OR REPLACE FUNCTION pg_temp.bench(name text, q text, runs int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; r int;
BEGIN
	FOR r IN 1 .. runs LOOP
		t0 := clock_timestamp();
		EXECUTE q;
		INSERT INTO bench_time VALUES (name, r, extract(epoch FROM clock_timestamp() - t0) * 1000);
	END LOOP;
END $$;


CREATE OR REPLACE FUNCTION pg_temp.bench_rounds(names text[], qs text[], runs int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; r int; i int;
BEGIN
	FOR r IN 1 .. runs LOOP
		FOR i IN 1 .. array_length(qs, 1) LOOP
			t0 := clock_timestamp();
			EXECUTE qs[i];
			INSERT INTO bench_time VALUES (names[i], r, extract(epoch FROM clock_timestamp() - t0) * 1000);
		END LOOP;
	END LOOP;
END $$;
