-- plsafepy.isolation and plsafepy.max_workers (worker_pool.c): superuser
-- settings; isolation is resolved for the role a function runs as, as
-- plsafepy.allowed_modules is (settings.c); plsafepy_workers() lists this
-- session's workers.
\set SHOW_CONTEXT never
\set VERBOSITY default
LOAD 'plsafepy';
SHOW plsafepy.isolation;
SHOW plsafepy.max_workers;
SELECT name, setting, context, vartype, enumvals, min_val, max_val
  FROM pg_settings
 WHERE name IN ('plsafepy.isolation', 'plsafepy.max_workers')
 ORDER BY name;

-- values are checked (22023)
SET plsafepy.isolation = 'sandboxed';
\echo :LAST_ERROR_SQLSTATE
SET plsafepy.max_workers = 0;
\echo :LAST_ERROR_SQLSTATE
SET plsafepy.max_workers = 1001;
\echo :LAST_ERROR_SQLSTATE
SET plsafepy.isolation = process;
SHOW plsafepy.isolation;
RESET plsafepy.isolation;

-- only a superuser sets them (42501)
CREATE ROLE pls_iso_user;
CREATE ROLE pls_iso_proc;
CREATE ROLE pls_iso_db;
SET ROLE pls_iso_user;
SET plsafepy.isolation = process;
\echo :LAST_ERROR_SQLSTATE
SET plsafepy.max_workers = 2;
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE pls_iso_user SET plsafepy.isolation = process;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- resolution for a role that is not the session user
SELECT plsafepy.isolation_of('pls_iso_user');
ALTER ROLE pls_iso_proc SET plsafepy.isolation = process;
SELECT plsafepy.isolation_of('pls_iso_proc');
SELECT current_database() AS db \gset
ALTER DATABASE :"db" SET plsafepy.isolation = process;
SELECT plsafepy.isolation_of('pls_iso_db');
-- the role's own setting wins over the database's
ALTER ROLE pls_iso_db IN DATABASE :"db" SET plsafepy.isolation = inline;
SELECT plsafepy.isolation_of('pls_iso_db');
ALTER ROLE pls_iso_db IN DATABASE :"db" RESET plsafepy.isolation;
ALTER DATABASE :"db" RESET plsafepy.isolation;
SELECT plsafepy.isolation_of('pls_iso_db');
-- the session user's own value is the session's
SELECT plsafepy.isolation_of(session_user::regrole);
SET plsafepy.isolation = process;
SELECT plsafepy.isolation_of(session_user::regrole);
RESET plsafepy.isolation;

-- no workers in this session (every function here runs inline)
SELECT count(*) FROM plsafepy_workers();
SET ROLE pls_iso_user;
SELECT count(*) FROM plsafepy_workers();
RESET ROLE;

DROP ROLE pls_iso_user;
DROP ROLE pls_iso_proc;
DROP ROLE pls_iso_db;
