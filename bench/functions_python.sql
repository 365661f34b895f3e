-- bench/functions_python.sql: the Python workloads, created once per Python
-- language with the very same bodies.  bench/run sets the psql variable
-- "lang" (plsafepy or plpython3u) and the search_path to bench_<lang>.
--
-- Bodies never reassign an argument (PL/Python would need "global") and use
-- only what both languages offer.

CREATE FUNCTION inc(x int) RETURNS int LANGUAGE :lang AS $$
return x + 1
$$;

CREATE FUNCTION text2(a text, b text) RETURNS int LANGUAGE :lang AS $$
return len(a) + len(b)
$$;

CREATE FUNCTION loop(n int) RETURNS bigint LANGUAGE :lang AS $$
s = 0
for i in range(n):
    s += i
return s
$$;

CREATE FUNCTION spi_execute(n int) RETURNS float8 LANGUAGE :lang AS $$
s = 0.0
for r in plpy.execute("SELECT a, b, c FROM public.bench_rows LIMIT " + str(n)):
    s += r["a"] + len(r["b"]) + r["c"]
return s
$$;

CREATE FUNCTION spi_cursor(n int) RETURNS float8 LANGUAGE :lang AS $$
s = 0.0
for r in plpy.cursor("SELECT a, b, c FROM public.bench_rows LIMIT " + str(n)):
    s += r["a"] + len(r["b"]) + r["c"]
return s
$$;

CREATE FUNCTION spi_prepared(n int) RETURNS bigint LANGUAGE :lang AS $$
p = plpy.prepare("SELECT $1 + 1 AS v", ["int4"])
s = 0
for i in range(n):
    s += plpy.execute(p, [i])[0]["v"]
return s
$$;

CREATE FUNCTION gen(n int) RETURNS SETOF int LANGUAGE :lang AS $$
for i in range(n):
    yield i
$$;

CREATE FUNCTION tab(n int) RETURNS TABLE (a int, b text, c float8) LANGUAGE :lang AS $$
for i in range(n):
    yield (i, "row", i * 0.5)
$$;

CREATE FUNCTION arr_sum(a int[]) RETURNS bigint LANGUAGE :lang AS $$
return sum(a)
$$;

CREATE FUNCTION num_id(x numeric) RETURNS numeric LANGUAGE :lang AS $$
return x
$$;

CREATE FUNCTION text_id(s text) RETURNS text LANGUAGE :lang AS $$
return s
$$;

CREATE FUNCTION comp_id(r public.bench_comp) RETURNS public.bench_comp LANGUAGE :lang AS $$
return r
$$;

CREATE FUNCTION bytea_id(b bytea) RETURNS bytea LANGUAGE :lang AS $$
return b
$$;
