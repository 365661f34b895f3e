/* jsonb_plsafepy--1.0.sql: the transform between jsonb and plsafepy */

\echo Use "CREATE EXTENSION jsonb_plsafepy" to load this file. \quit

-- The functions name the transform, as jsonb_plpython3u's do; plsafepy
-- knows them by their code (src/transform.c) and converts the values
-- itself, in both isolations.  They refuse to be called.
CREATE FUNCTION jsonb_to_plsafepy(val internal) RETURNS internal
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'jsonb_to_plsafepy';

CREATE FUNCTION plsafepy_to_jsonb(val internal) RETURNS jsonb
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'plsafepy_to_jsonb';

CREATE TRANSFORM FOR jsonb LANGUAGE plsafepy (
    FROM SQL WITH FUNCTION jsonb_to_plsafepy(internal),
    TO SQL WITH FUNCTION plsafepy_to_jsonb(internal)
);

COMMENT ON TRANSFORM FOR jsonb LANGUAGE plsafepy IS 'transform between jsonb and Python';
