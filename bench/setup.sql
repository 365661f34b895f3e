-- bench/setup.sql: data, timer, memory probe, roles and the plpgsql reference
-- functions of the benchmark.  Run by bench/run in a fresh database.
--
-- Every language gets its own schema (bench_plsafepy, bench_plpython3u,
-- bench_plpgsql, bench_sql); the functions have the same names in each, so a
-- workload is one query text run with a different search_path.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- ---------- timer and memory probe ----------

-- CPU time this backend has spent on a CPU since it started, in ms
-- (/proc/self/schedstat, ns resolution): unlike the wall clock it does not
-- count the time other processes of a busy machine held the CPU.
CREATE FUNCTION public.bench_cpu() RETURNS float8
LANGUAGE sql AS $$
	SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::float8 / 1e6
$$;

-- CPU time of this session's plsafepy workers (process isolation), in ms;
-- 0 without any.  Only called in process-mode sessions: plsafepy_workers()
-- loads plsafepy into the backend.
CREATE FUNCTION public.bench_workers_cpu() RETURNS float8
LANGUAGE plpgsql AS $$
BEGIN
	RETURN (SELECT coalesce(sum(split_part(pg_read_file('/proc/' || pid || '/schedstat'),
											' ', 1)::float8), 0) / 1e6
			FROM plsafepy_workers());
END
$$;

-- One query timed on the server, in ms: the wall clock (clock_timestamp()
-- differences) and the backend's CPU time, plus its plsafepy workers' if
-- workers is set (process isolation: the call's work is split between the
-- two processes).  No client or network in either.
-- q runs reps times in a row; the times returned are per run (a workload of
-- a few milliseconds is measured over several, see bench/run reps_of).
CREATE FUNCTION public.bench_time(q text, reps int DEFAULT 1,
	workers bool DEFAULT false, OUT wall_ms float8, OUT cpu_ms float8)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	c0 float8;
BEGIN
	c0 := public.bench_cpu();
	IF workers THEN
		c0 := c0 + public.bench_workers_cpu();
	END IF;
	t0 := clock_timestamp();
	FOR i IN 1 .. reps LOOP
		EXECUTE q;
	END LOOP;
	wall_ms := 1000 * extract(epoch FROM clock_timestamp() - t0)::float8 / reps;
	cpu_ms := public.bench_cpu() - c0;
	IF workers THEN
		cpu_ms := cpu_ms + public.bench_workers_cpu();
	END IF;
	cpu_ms := cpu_ms / reps;
END
$$;

-- This backend's resident set size in kB (superuser: pg_read_file of /proc).
CREATE FUNCTION public.bench_rss() RETURNS int
LANGUAGE sql AS $$
	SELECT substring(pg_read_file('/proc/self/status') FROM 'VmRSS:\s*(\d+)')::int
$$;

-- ---------- data ----------

-- SPI iteration: 200k rows of (int, text, float).
CREATE TABLE public.bench_rows AS
	SELECT i AS a, md5(i::text) AS b, i * 0.25::float8 AS c
	FROM generate_series(1, 200000) i;

-- 1000 int[1000] arrays, stored plain so no detoasting is measured.
CREATE TABLE public.bench_arrays (a int[]);
ALTER TABLE public.bench_arrays ALTER a SET STORAGE PLAIN;
INSERT INTO public.bench_arrays
	SELECT (SELECT array_agg(i + j) FROM generate_series(1, 1000) j)
	FROM generate_series(1, 1000) i;

-- 300k numerics with a fractional part.
CREATE TABLE public.bench_nums AS
	SELECT (i * 1.2345)::numeric(14, 4) AS x FROM generate_series(1, 300000) i;

-- 1M 32-character strings.
CREATE TABLE public.bench_texts AS
	SELECT md5(i::text) AS s FROM generate_series(1, 1000000) i;

-- 300k composite rows; the table's row type is the composite type.
CREATE TABLE public.bench_comp (a int, b text, c float8);
INSERT INTO public.bench_comp
	SELECT i, md5(i::text), i * 0.5 FROM generate_series(1, 300000) i;

-- 100k bytea values of 1 KB (below the TOAST threshold: stored inline).
CREATE TABLE public.bench_bytea AS
	SELECT decode(repeat(md5(i::text), 64), 'hex') AS b
	FROM generate_series(1, 100000) i;

VACUUM (FREEZE, ANALYZE) public.bench_rows, public.bench_arrays, public.bench_nums,
	public.bench_texts, public.bench_comp, public.bench_bytea;

-- ---------- schemas ----------

CREATE SCHEMA bench_plpgsql;
CREATE SCHEMA bench_sql;		-- bare SQL baselines need no functions
CREATE SCHEMA bench_plpython3u;
CREATE SCHEMA bench_plsafepy;
GRANT USAGE ON SCHEMA bench_plpgsql, bench_sql, bench_plpython3u, bench_plsafepy TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC;

-- Roles for the per-role interpreter memory probe (cluster-wide objects:
-- created only if missing, so an existing cluster can be reused).
DO $$
BEGIN
	FOR i IN 1..4 LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_role' || i) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', 'bench_role' || i);
		END IF;
		-- the same probe in process isolation (bench/run sets it for them)
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_prole' || i) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', 'bench_prole' || i);
		END IF;
	END LOOP;
END
$$;

-- ---------- plpgsql reference functions ----------

SET search_path = bench_plpgsql, public;

CREATE FUNCTION inc(x int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
	RETURN x + 1;
END
$$;

CREATE FUNCTION text2(a text, b text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
	RETURN length(a) + length(b);
END
$$;

CREATE FUNCTION loop(n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	s bigint := 0;
BEGIN
	FOR i IN 0 .. n - 1 LOOP
		s := s + i;
	END LOOP;
	RETURN s;
END
$$;

CREATE FUNCTION spi_execute(n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	s float8 := 0;
	r record;
BEGIN
	FOR r IN SELECT a, b, c FROM public.bench_rows LIMIT n LOOP
		s := s + r.a + length(r.b) + r.c;
	END LOOP;
	RETURN s;
END
$$;

CREATE FUNCTION spi_cursor(n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	s float8 := 0;
	r record;
	cur CURSOR FOR SELECT a, b, c FROM public.bench_rows LIMIT n;
BEGIN
	OPEN cur;
	LOOP
		FETCH cur INTO r;
		EXIT WHEN NOT FOUND;
		s := s + r.a + length(r.b) + r.c;
	END LOOP;
	CLOSE cur;
	RETURN s;
END
$$;

-- plpgsql keeps a prepared plan for the SELECT ... INTO statement.
CREATE FUNCTION spi_prepared(n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	s bigint := 0;
	v int;
BEGIN
	FOR i IN 0 .. n - 1 LOOP
		SELECT i + 1 INTO v;
		s := s + v;
	END LOOP;
	RETURN s;
END
$$;

CREATE FUNCTION gen(n int) RETURNS SETOF int LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 0 .. n - 1 LOOP
		RETURN NEXT i;
	END LOOP;
END
$$;

CREATE FUNCTION tab(n int) RETURNS TABLE (a int, b text, c float8) LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 0 .. n - 1 LOOP
		a := i;
		b := 'row';
		c := i * 0.5;
		RETURN NEXT;
	END LOOP;
END
$$;

CREATE FUNCTION arr_sum(a int[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	s bigint := 0;
	x int;
BEGIN
	FOREACH x IN ARRAY a LOOP
		s := s + x;
	END LOOP;
	RETURN s;
END
$$;

CREATE FUNCTION num_id(x numeric) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
	RETURN x;
END
$$;

CREATE FUNCTION text_id(s text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN s;
END
$$;

CREATE FUNCTION comp_id(r public.bench_comp) RETURNS public.bench_comp LANGUAGE plpgsql AS $$
BEGIN
	RETURN r;
END
$$;

CREATE FUNCTION bytea_id(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
BEGIN
	RETURN b;
END
$$;
