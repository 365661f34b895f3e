--
-- The plpy module: its names, the logging functions and their keyword
-- arguments, plpy.Error/Fatal/SPIError and plpy.spiexceptions, quoting,
-- print().  Outputs and messages are PL/Python's (checked against
-- plpython3u).  Runs as an unprivileged role.
--
CREATE ROLE regress_plpy_user;
CREATE SCHEMA plpy_module AUTHORIZATION regress_plpy_user;
SET ROLE regress_plpy_user;
SET search_path = plpy_module;
\set SHOW_CONTEXT never

-- A statement's error as text: SQLSTATE, message and every field set.
CREATE FUNCTION try_sql(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text; hin text;
  sch text; tab text; col text; typ text; con text;
BEGIN
  EXECUTE q;
  RETURN 'OK';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
      det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT,
      sch = SCHEMA_NAME, tab = TABLE_NAME, col = COLUMN_NAME,
      typ = PG_DATATYPE_NAME, con = CONSTRAINT_NAME;
  RETURN st || ': ' || msg
         || CASE WHEN det <> '' THEN ' | detail: ' || det ELSE '' END
         || CASE WHEN hin <> '' THEN ' | hint: ' || hin ELSE '' END
         || CASE WHEN sch <> '' THEN ' | schema: ' || sch ELSE '' END
         || CASE WHEN tab <> '' THEN ' | table: ' || tab ELSE '' END
         || CASE WHEN col <> '' THEN ' | column: ' || col ELSE '' END
         || CASE WHEN typ <> '' THEN ' | datatype: ' || typ ELSE '' END
         || CASE WHEN con <> '' THEN ' | constraint: ' || con ELSE '' END;
END $$;

-- the module's public names
DO $$
plpy.notice(sorted(n for n in dir(plpy) if not n.startswith('_')))
$$ LANGUAGE plsafepy;

--
-- logging
--
SET client_min_messages = debug2;
DO $$
plpy.debug('debug message')
plpy.log('log message')
plpy.info('info message')
plpy.notice('notice message')
plpy.warning('warning message')
$$ LANGUAGE plsafepy;
RESET client_min_messages;

-- below client_min_messages: not sent
DO $$
plpy.debug('not shown')
plpy.log('not shown either')
$$ LANGUAGE plsafepy;

-- one argument is str()'d, several are reported as a tuple
DO $$
plpy.notice(42)
plpy.notice('a', 1, None)
plpy.notice()
plpy.info([1, 'two'], {'k': 3})
$$ LANGUAGE plsafepy;

-- keyword arguments
DO $$
plpy.notice('with detail', detail='the detail', hint='the hint')
plpy.warning(message='message by keyword', detail=42)
plpy.info('all fields', detail='d', hint='h', sqlstate='01234',
          schema_name='s', table_name='t', column_name='c',
          datatype_name='dt', constraint_name='cn')
$$ LANGUAGE plsafepy;

-- misuse of the keyword arguments
DO $$
for call in (lambda: plpy.notice('x', message='y'),
             lambda: plpy.notice('x', bogus='y'),
             lambda: plpy.notice('x', sqlstate='abc'),
             lambda: plpy.notice('x', sqlstate='abcde'),
             lambda: plpy.notice('x', sqlstate='12 45')):
    try:
        call()
    except Exception as e:
        plpy.notice('%s: %s' % (type(e), e))
$$ LANGUAGE plsafepy;

--
-- plpy.error raises plpy.Error; uncaught, it becomes the statement's error
--
SELECT try_sql($q$DO $$ plpy.error('plain error') $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.error('custom', sqlstate='P1234', detail='d', hint='h') $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$
plpy.error(message='all', detail='d', hint='h', sqlstate='22012',
           schema_name='s', table_name='t', column_name='c',
           datatype_name='dt', constraint_name='cn')
$$ LANGUAGE plsafepy$q$);

-- caught, it carries the fields as attributes
DO $$
try:
    plpy.error('caught', detail='dd', hint='hh', sqlstate='P0001', table_name='tt')
except plpy.Error as e:
    plpy.notice(type(e), str(e), e.sqlstate, e.detail, e.hint,
                e.table_name, e.schema_name, e.query)
try:
    plpy.error('no sqlstate')
except plpy.Error as e:
    plpy.notice(e.sqlstate, e.detail)
$$ LANGUAGE plsafepy;

-- raising plpy.Error (or a subclass) directly, with a sqlstate attribute
SELECT try_sql($q$DO $$ raise plpy.Error('raised directly') $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$
e = plpy.Error('with attributes')
e.sqlstate = '23505'
e.detail = 'some detail'
raise e
$$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$
class MyError(plpy.Error):
    pass
raise MyError('subclass')
$$ LANGUAGE plsafepy$q$);

--
-- the exception classes
--
DO $$
se = plpy.spiexceptions
plpy.notice(plpy.Error, plpy.Fatal, plpy.SPIError, plpy.spiexceptions.DivisionByZero)
plpy.notice(issubclass(plpy.Error, Exception), issubclass(plpy.Fatal, Exception),
            issubclass(plpy.SPIError, Exception),
            issubclass(plpy.SPIError, plpy.Error))
plpy.notice(se.DivisionByZero.sqlstate, se.UniqueViolation.sqlstate,
            se.QueryCanceled.sqlstate, se.RaiseException.sqlstate,
            se.InvalidTransactionTermination.sqlstate)
plpy.notice(issubclass(se.DivisionByZero, plpy.SPIError),
            str(se.DivisionByZero), str(plpy.SPIError))
plpy.notice(len([n for n in dir(se) if not n.startswith('_')]) > 200)
$$ LANGUAGE plsafepy;

-- every plpy.spiexceptions class is an SPIError with a 5-character sqlstate
DO $$
se = plpy.spiexceptions
bad = [n for n in dir(se) if not n.startswith('_') and
       not (issubclass(getattr(se, n), plpy.SPIError) and
            len(getattr(se, n).sqlstate) == 5)]
plpy.notice('bad:', bad)
$$ LANGUAGE plsafepy;

-- raising a spiexceptions class directly uses its sqlstate
SELECT try_sql($q$DO $$ raise plpy.spiexceptions.NotNullViolation('raised by hand') $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ raise plpy.SPIError('plain SPIError') $$ LANGUAGE plsafepy$q$);

--
-- quoting
--
DO $$
plpy.notice(plpy.quote_literal("it's"), plpy.quote_literal('back\\slash'),
            plpy.quote_literal(''))
plpy.notice(plpy.quote_nullable("x'y"), plpy.quote_nullable(None))
plpy.notice(plpy.quote_ident('simple'), plpy.quote_ident('Mixed Case'),
            plpy.quote_ident('select'), plpy.quote_ident('a"b'))
plpy.notice(plpy.quote_literal('ünïcode'), plpy.quote_ident('ünï'))
for call in (lambda: plpy.quote_literal(None), lambda: plpy.quote_ident(1),
             lambda: plpy.quote_nullable(1), lambda: plpy.quote_literal()):
    try:
        call()
    except TypeError as e:
        plpy.notice('TypeError: %s' % e)
$$ LANGUAGE plsafepy;

CREATE FUNCTION quote_all(t text) RETURNS text LANGUAGE plsafepy AS $$
return "%s %s %s" % (plpy.quote_literal(t) if t is not None else '-',
                     plpy.quote_nullable(t),
                     plpy.quote_ident(t) if t is not None else '-')
$$;
SELECT quote_all('O''Reilly'), quote_all(NULL), quote_all('Tab	1');

--
-- print() goes to the client as a NOTICE
--
DO $$
print('hello', 'world')
print(1, 2, 3, sep='-')
print('no newline', end='')
print('custom end', end='!')
print()
print('two\nlines')
$$ LANGUAGE plsafepy;

-- notices from inside a function
CREATE FUNCTION noisy(n int) RETURNS int LANGUAGE plsafepy AS $$
for i in range(n):
    plpy.notice('step %d' % i)
return n
$$;
SELECT noisy(2);

-- an object whose str() fails (last: plpython3u mishandles this and
-- leaves its interpreter in a broken state; plsafepy raises plpy.Error as
-- PL/Python means to)
DO $$
class Bad:
    def __str__(self):
        raise ValueError('no str')
try:
    plpy.notice(Bad())
except plpy.Error as e:
    plpy.notice('Error: %s' % e)
try:
    plpy.notice('x', detail=Bad())
except ValueError as e:
    plpy.notice('ValueError: %s' % e)
$$ LANGUAGE plsafepy;

RESET ROLE;
DROP SCHEMA plpy_module CASCADE;
DROP ROLE regress_plpy_user;
