-- import python modules

-- port: PostgreSQL's import_fail() imports a module that does not exist
-- and catches the ImportError at run time.  plsafepy refuses an import of
-- any module off its whitelist already at CREATE FUNCTION (SQLSTATE 42501,
-- README.md "Porting from plpython3u"), so the function is left out.


-- port: array, errno and time are left out of the list: they are not on
-- plsafepy's module whitelist (docs/modules.md), and a denied import fails
-- at CREATE FUNCTION.
CREATE FUNCTION import_succeed() returns text
	AS
'try:
  import bisect
  import calendar
  import cmath
  import math
  import operator
  import random
  import re
  import string
except Exception as ex:
	plpy.notice("import failed -- %s" % str(ex))
	return "failed, that wasn''t supposed to happen"
return "succeeded, as expected"'
    LANGUAGE plpython3u;

-- port: the Python 2 fallback "except ImportError: import sha" is dropped
-- from both functions below: sha is not on plsafepy's whitelist (the
-- import is refused at CREATE FUNCTION even where it would never run).
CREATE FUNCTION import_test_one(p text) RETURNS text
	AS
'import hashlib
digest = hashlib.sha1(p.encode("ascii"))
return digest.hexdigest()'
	LANGUAGE plpython3u;

CREATE FUNCTION import_test_two(u users) RETURNS text
	AS
'plain = u["fname"] + u["lname"]
import hashlib
digest = hashlib.sha1(plain.encode("ascii"))
return "sha hash of " + plain + " is " + digest.hexdigest()'
	LANGUAGE plpython3u;


-- import python modules
--
SELECT import_succeed();

-- test import and simple argument handling
--
SELECT import_test_one('sha hash of this string');

-- test import and tuple argument handling
--
select import_test_two(users) from users where fname = 'willem';
