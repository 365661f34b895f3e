/* hstore_plsafepy--1.0.sql: the transform between hstore and plsafepy */

\echo Use "CREATE EXTENSION hstore_plsafepy" to load this file. \quit

-- The functions name the transform, as hstore_plpython3u's do; plsafepy
-- knows them by their code (src/transform.c), checks that the type is
-- the hstore library's, and converts the values itself, in both
-- isolations.  They refuse to be called.
CREATE FUNCTION hstore_to_plsafepy(val internal) RETURNS internal
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'hstore_to_plsafepy';

CREATE FUNCTION plsafepy_to_hstore(val internal) RETURNS hstore
LANGUAGE C STRICT IMMUTABLE
AS 'MODULE_PATHNAME', 'plsafepy_to_hstore';

CREATE TRANSFORM FOR hstore LANGUAGE plsafepy (
    FROM SQL WITH FUNCTION hstore_to_plsafepy(internal),
    TO SQL WITH FUNCTION plsafepy_to_hstore(internal)
);

COMMENT ON TRANSFORM FOR hstore LANGUAGE plsafepy IS 'transform between hstore and Python dict';
