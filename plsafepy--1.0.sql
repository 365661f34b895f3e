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
