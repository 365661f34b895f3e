-- Process isolation's call path (call_process.c, worker/call.c): the
-- buffers a call's messages reuse, and the ways arguments reach the body.
SET plsafepy.isolation = process;
SET client_min_messages = notice;

-- A call made while another one's result is being decoded (a domain's
-- CHECK calls plsafepy again) must not reuse the buffers that result
-- still points into: column b is read after column a's CHECK ran, and the
-- inner result is longer, so reuse would show in b.
CREATE FUNCTION pc_rev(s text) RETURNS text LANGUAGE plsafepy
AS $$ return s[::-1] + 'y' * 100 $$;
CREATE DOMAIN pc_checked AS text CHECK (length(pc_rev(VALUE)) > 102);
CREATE TYPE pc_pair AS (a pc_checked, b text);
CREATE FUNCTION pc_make(n int) RETURNS pc_pair LANGUAGE plsafepy
AS $$ return {'a': 'ab' * n, 'b': 'tail-%d' % n} $$;
SELECT (pc_make(3)).*;
SELECT pc_make(2) AS one, pc_make(5) AS two;
-- the CHECK fails (102 characters): an ERROR while the outer call holds
-- its buffers; the calls after it are still right
SELECT pc_make(1);
SELECT pc_make(4), pc_rev('xy') = 'yx' || repeat('y', 100) AS inner_ok;

-- arguments: more than fit on the stack, unnamed ones, the args list
CREATE FUNCTION pc_ten(a1 int, a2 int, a3 int, a4 int, a5 int, a6 int,
					   a7 int, a8 int, a9 int, a10 int) RETURNS int
LANGUAGE plsafepy AS $$ return a1 + a2 * 2 + a3 * 3 + a4 * 4 + a5 * 5 + a6 * 6 + a7 * 7 + a8 * 8 + a9 * 9 + a10 * 10 $$;
SELECT pc_ten(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), pc_ten(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
CREATE FUNCTION pc_unnamed(int, b text) RETURNS text LANGUAGE plsafepy
AS $$ return '%r %r' % (args, b) $$;
SELECT pc_unnamed(7, 'b');
CREATE FUNCTION pc_args(a int, b int) RETURNS text LANGUAGE plsafepy
AS $$ return '%r %r %r' % (a, b, args) $$;
SELECT pc_args(1, NULL);

-- messages longer than one frame of the channel, both ways, and a result
-- long enough that the kept buffer is given back after it
CREATE FUNCTION pc_echo(s text) RETURNS text LANGUAGE plsafepy
AS $$ return s + s $$;
SELECT length(pc_echo(repeat('x', 100000))) AS two_frames,
	   length(pc_echo(repeat('z', 300000))) AS past_kept,
	   pc_echo('small') AS small_after;

-- round trips: a call whose body does not reach PostgreSQL is one (CALL
-- and RETURN: two messages, whatever its arguments and result); each
-- request its body makes adds one (REQ and REP), a plpy.execute whose rows
-- fit one reply included; messages counts both ways
CREATE FUNCTION pc_inc(x int) RETURNS int LANGUAGE plsafepy
AS $$ return x + 1 $$;
CREATE TYPE pc_plain AS (a text, b int);
CREATE FUNCTION pc_row(r pc_plain) RETURNS pc_plain LANGUAGE plsafepy
AS $$ return r $$;
CREATE FUNCTION pc_spi(n int) RETURNS int LANGUAGE plsafepy
AS $$ return len(plpy.execute("SELECT g FROM generate_series(1, %d) g" % n)) $$;
CREATE FUNCTION pc_notice() RETURNS void LANGUAGE plsafepy
AS $$ plpy.notice('once') $$;
-- the first call, which carries the source to compile, is one too
SELECT pc_spi(1);
SELECT messages AS m FROM plsafepy_workers() WHERE role = current_user \gset
SELECT pc_inc(0), pc_row(('a', 1));
SELECT messages - :m AS first_calls_of_two FROM plsafepy_workers()
  WHERE role = current_user;
SELECT messages AS m FROM plsafepy_workers() WHERE role = current_user \gset
SELECT sum(pc_inc(i)) FROM generate_series(1, 100) i;
SELECT messages - :m AS per_100_calls FROM plsafepy_workers()
  WHERE role = current_user;
SELECT messages AS m FROM plsafepy_workers() WHERE role = current_user \gset
SELECT count(pc_row(('x' || i, i))) FROM generate_series(1, 100) i;
SELECT messages - :m AS per_100_row_calls FROM plsafepy_workers()
  WHERE role = current_user;
SELECT messages AS m FROM plsafepy_workers() WHERE role = current_user \gset
SELECT pc_spi(1000) AS spi_rows;
SELECT messages - :m AS per_call_with_one_execute FROM plsafepy_workers()
  WHERE role = current_user;
SELECT messages AS m FROM plsafepy_workers() WHERE role = current_user \gset
SELECT pc_notice();
SELECT messages - :m AS per_call_with_one_notice FROM plsafepy_workers()
  WHERE role = current_user;
