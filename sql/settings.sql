-- The settings that shape an interpreter (plsafepy.allowed_modules,
-- plsafepy.memory_limit) are those of the role that owns it: ALTER ROLE r
-- IN DATABASE d SET, ALTER ROLE r SET, ALTER DATABASE d SET, ALTER ROLE
-- ALL SET, then the server's value; the session user's own interpreter
-- takes the session's current value.  pg_regress runs as a superuser in
-- one session: the other roles are reached with SET ROLE and SECURITY
-- DEFINER, and \c starts a session with no interpreters yet.
\set SHOW_CONTEXT never
SELECT current_database() AS db \gset
CREATE ROLE pls_set_a;
CREATE ROLE pls_set_b;
CREATE ROLE pls_set_c;
CREATE SCHEMA pls_set;
GRANT USAGE, CREATE ON SCHEMA pls_set TO pls_set_a, pls_set_b, pls_set_c;
ALTER ROLE pls_set_a SET plsafepy.allowed_modules = 'math, zlib';
ALTER ROLE pls_set_b SET plsafepy.allowed_modules = 'math';

-- a SECURITY DEFINER function of A, whose whitelist allows zlib
SET ROLE pls_set_a;
CREATE FUNCTION pls_set.a_crc(s text) RETURNS bigint LANGUAGE plsafepy
SECURITY DEFINER AS $$
import zlib
return zlib.crc32(s.encode())
$$;
CREATE FUNCTION pls_set.a_alloc(mb int) RETURNS int LANGUAGE plsafepy
SECURITY DEFINER AS $$
x = bytearray(mb * 2**20)
return len(x) // 2**20
$$;
RESET ROLE;

-- works for B, whose own whitelist does not allow zlib
SET ROLE pls_set_b;
SELECT pls_set.a_crc('abc');
-- B's own code cannot import it
\set VERBOSITY terse
DO LANGUAGE plsafepy $$
import zlib
$$;
CREATE FUNCTION pls_set.b_crc(s text) RETURNS bigint LANGUAGE plsafepy AS $$
import zlib
return zlib.crc32(s.encode())
$$;
\set VERBOSITY default
SELECT module, count(*) > 0 AS names FROM plsafepy.allowed_modules GROUP BY module;
-- and A's function still works after B's denial
SELECT pls_set.a_crc('abc');
RESET ROLE;

-- the session's SET shapes the session user's own interpreter only
SET plsafepy.allowed_modules = 'math';
SET ROLE pls_set_c;
SELECT count(*) > 0 AS c_has_json FROM plsafepy.allowed_modules WHERE module = 'json';
RESET ROLE;
\set VERBOSITY terse
DO LANGUAGE plsafepy $$
import json
$$;
\set VERBOSITY default
RESET plsafepy.allowed_modules;

-- ALTER ROLE A IN DATABASE overrides ALTER ROLE A
\c
ALTER ROLE pls_set_a IN DATABASE :"db" SET plsafepy.allowed_modules = 'math';
SET ROLE pls_set_b;
\set VERBOSITY terse
SELECT pls_set.a_crc('abc');
\set VERBOSITY default
RESET ROLE;
ALTER ROLE pls_set_a IN DATABASE :"db" RESET plsafepy.allowed_modules;

-- ALTER DATABASE applies to a role without a setting of its own, not to
-- one with its own; ALTER ROLE ALL comes after ALTER DATABASE
\c
ALTER DATABASE :"db" SET plsafepy.allowed_modules = 'math, html:escape';
ALTER ROLE ALL SET plsafepy.allowed_modules = 'math, zlib';
SET ROLE pls_set_c;
SELECT module, count(*) AS names FROM plsafepy.allowed_modules GROUP BY module ORDER BY 1;
RESET ROLE;
SET ROLE pls_set_b;
SELECT module, count(*) AS names FROM plsafepy.allowed_modules GROUP BY module ORDER BY 1;
RESET ROLE;
ALTER DATABASE :"db" RESET plsafepy.allowed_modules;
-- ALTER ROLE ALL for a role without a setting of its own, in a database
-- without one
\c
SET ROLE pls_set_c;
SELECT module, count(*) > 5 AS names FROM plsafepy.allowed_modules GROUP BY module ORDER BY 1;
RESET ROLE;
ALTER ROLE ALL RESET plsafepy.allowed_modules;

-- the server's value (here the built-in default), also when the session
-- user's own setting replaced it in this session before the library was
-- loaded
ALTER ROLE CURRENT_USER SET plsafepy.allowed_modules = 'math';
\c
SHOW plsafepy.allowed_modules;
SET ROLE pls_set_c;
SELECT count(*) AS c_modules FROM (SELECT DISTINCT module FROM plsafepy.allowed_modules) m;
RESET ROLE;
SELECT count(*) AS own_modules FROM (SELECT DISTINCT module FROM plsafepy.allowed_modules) m;
-- ALTER SYSTEM: read from the configuration files when replaced so
ALTER SYSTEM SET plsafepy.allowed_modules = 'math, html:escape';
SELECT pg_reload_conf();
\c
SHOW plsafepy.allowed_modules;
SET ROLE pls_set_c;
SELECT module, count(*) AS names FROM plsafepy.allowed_modules GROUP BY module ORDER BY 1;
RESET ROLE;
ALTER ROLE CURRENT_USER RESET plsafepy.allowed_modules;
ALTER SYSTEM RESET plsafepy.allowed_modules;
SELECT pg_reload_conf();

-- a stored value is checked as the setting checks it: a superuser can
-- store an unchecked one while the library is not loaded in the session
\c
\set SHOW_CONTEXT errors
ALTER ROLE pls_set_c SET plsafepy.allowed_modules = 'math; os';
ALTER ROLE pls_set_c SET plsafepy.memory_limit = '-5';
SET ROLE pls_set_c;
DO LANGUAGE plsafepy $$
import math
$$;
RESET ROLE;
ALTER ROLE pls_set_c SET plsafepy.allowed_modules = 'math';
SET ROLE pls_set_c;
DO LANGUAGE plsafepy $$
import math
$$;
RESET ROLE;
ALTER ROLE pls_set_c RESET ALL;
\set SHOW_CONTEXT never

-- the memory limit of the definer's role applies while its code runs
\c
ALTER ROLE pls_set_a SET plsafepy.memory_limit = '96MB';
ALTER ROLE pls_set_b SET plsafepy.memory_limit = '160MB';
SET ROLE pls_set_b;
CREATE FUNCTION pls_set.b_alloc(mb int) RETURNS int LANGUAGE plsafepy AS $$
x = bytearray(mb * 2**20)
return len(x) // 2**20
$$;
\set VERBOSITY terse
SELECT pls_set.a_alloc(128);
\set VERBOSITY default
SELECT pls_set.a_alloc(16);
SELECT pls_set.b_alloc(128);
\set VERBOSITY terse
SELECT pls_set.b_alloc(256);
\set VERBOSITY default
-- the session's plsafepy.user_memory_limit lowers every role's limit
SET plsafepy.user_memory_limit = '48MB';
\set VERBOSITY terse
SELECT pls_set.a_alloc(64);
SELECT pls_set.b_alloc(64);
\set VERBOSITY default
RESET plsafepy.user_memory_limit;
SELECT pls_set.a_alloc(16);
RESET ROLE;

DROP SCHEMA pls_set CASCADE;
DROP ROLE pls_set_a;
DROP ROLE pls_set_b;
DROP ROLE pls_set_c;
