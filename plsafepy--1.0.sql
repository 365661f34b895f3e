/* plsafepy--1.0.sql: the language, its handlers and the whitelist view */

\echo Use "CREATE EXTENSION plsafepy" to load this file. \quit

CREATE FUNCTION plsafepy_call_handler() RETURNS language_handler
  LANGUAGE c AS 'MODULE_PATHNAME';

CREATE FUNCTION plsafepy_inline_handler(internal) RETURNS void
  STRICT LANGUAGE c AS 'MODULE_PATHNAME';

CREATE FUNCTION plsafepy_validator(oid) RETURNS void
  STRICT LANGUAGE c AS 'MODULE_PATHNAME';

CREATE TRUSTED LANGUAGE plsafepy
  HANDLER plsafepy_call_handler
  INLINE plsafepy_inline_handler
  VALIDATOR plsafepy_validator;

COMMENT ON LANGUAGE plsafepy IS 'PL/SafePy trusted, sandboxed Python procedural language';

-- The effective module whitelist of the calling role's interpreter (sandbox.c):
-- one row per name a plsafepy function of this role can import.
CREATE SCHEMA plsafepy;
GRANT USAGE ON SCHEMA plsafepy TO PUBLIC;
COMMENT ON SCHEMA plsafepy IS 'PL/SafePy: the module whitelist view';

CREATE FUNCTION plsafepy.whitelist(OUT module text, OUT name text, OUT kind text)
  RETURNS SETOF record
  VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'plsafepy_whitelist';

CREATE VIEW plsafepy.allowed_modules AS
  SELECT module, name, kind FROM plsafepy.whitelist();
COMMENT ON VIEW plsafepy.allowed_modules IS
  'Names plsafepy functions of the current role may import (plsafepy.allowed_modules, as read when the role''s interpreter was created)';
GRANT SELECT ON plsafepy.allowed_modules TO PUBLIC;

-- This session's plsafepy-worker processes (worker_pool.c, docs/isolation.md):
-- only the caller's own session's, so anyone may call it.  messages: those
-- exchanged with the worker, both ways (a call is two, plus two for each
-- request its body makes of PostgreSQL).
CREATE FUNCTION plsafepy_workers(OUT role text, OUT pid int, OUT walls text,
                                 OUT memory_kb bigint, OUT calls bigint,
                                 OUT messages bigint, OUT started timestamptz)
  RETURNS SETOF record
  VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'plsafepy_workers';

-- Where a role's plsafepy functions run (plsafepy.isolation as resolved for
-- that role, settings.c): 'inline' or 'process'.
CREATE FUNCTION plsafepy.isolation_of(role regrole) RETURNS text
  STABLE STRICT PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'plsafepy_isolation_of';
