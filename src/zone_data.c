/*-------------------------------------------------------------------------
 *
 * zone_data.c
 *	  zoneinfo's time-zone data, read by the backend in both isolations: the
 *	  TZif file of a zone key, from the directories of Python's TZPATH, as
 *	  plpython3u's zoneinfo finds it.  Inline, the Python side's hook
 *	  (pls_host_zone_data) reads it here; in process isolation the worker,
 *	  which opens no file, asks for it with a door request
 *	  (call_process.c).  So the key is checked here, whatever the Python
 *	  side checked before: it may come from a worker.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* sysconfig's TZPATH of the Python plsafepy was built with (the Makefile) */
#ifndef PLS_TZPATH
#error "PLS_TZPATH is not defined"
#endif

/*
 * A key names a file below a TZPATH directory: 1 to PLS_ZONE_KEY_MAX
 * bytes of ASCII letters, digits and "._+-", in components separated by
 * single slashes, none of them "." or "..", none empty.  Every zone of the
 * tz database has such a name ("America/Port-au-Prince", "Etc/GMT+5").  No
 * NUL (the path would end there) and no byte the server's locale may count
 * as a letter.
 */
static bool
zone_key_valid(const char *key, size_t len)
{
	size_t		start = 0;

	if (len == 0 || len > PLS_ZONE_KEY_MAX)
		return false;
	for (size_t i = 0; i <= len; i++)
	{
		if (i == len || key[i] == '/')
		{
			size_t		n = i - start;

			if (n == 0 || (n == 1 && key[start] == '.') ||
				(n == 2 && key[start] == '.' && key[start + 1] == '.'))
				return false;
			start = i + 1;
			continue;
		}
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') ||
			  (key[i] >= '0' && key[i] <= '9') || key[i] == '.' || key[i] == '_' ||
			  key[i] == '+' || key[i] == '-'))
			return false;
	}
	return true;
}

/*
 * Read at most PLS_ZONE_DATA_MAX bytes of the file into buf: -1 if it
 * cannot be read or is no TZif file.  The directories hold other files
 * (zone.tab, tzdata.zi, leapseconds) and may hold links out of them
 * (localtime): a ZoneInfo subclass's _load_file gets the bytes served, so
 * only time-zone data is.  Plain system calls: no PostgreSQL error (the
 * inline hook runs with Python frames on the stack).
 */
static int
read_zone_file(int fd, char *buf)
{
	size_t		got = 0;

	while (got < PLS_ZONE_DATA_MAX)
	{
		ssize_t		n = read(fd, buf + got, PLS_ZONE_DATA_MAX - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	if (got < 4 || memcmp(buf, "TZif", 4) != 0)
		return -1;
	return (int) got;
}

int
pls_zone_data_read(const char *key, size_t len, char *buf)
{
	const char *root = PLS_TZPATH;

	if (!zone_key_valid(key, len))
		return -1;
	while (*root != '\0')
	{
		size_t		rootlen = strcspn(root, ":");
		char		path[MAXPGPATH];
		struct stat st;
		int			fd;
		int			n;

		if (rootlen > 0 && rootlen + 1 + len < sizeof(path))
		{
			memcpy(path, root, rootlen);
			path[rootlen] = '/';
			memcpy(path + rootlen + 1, key, len);
			path[rootlen + 1 + len] = '\0';
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fd >= 0)
			{
				/* as zoneinfo's os.path.isfile: a directory is no zone */
				if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
				{
					n = read_zone_file(fd, buf);
					close(fd);
					return n;
				}
				close(fd);
			}
		}
		root += rootlen;
		if (*root == ':')
			root++;
	}
	return -1;
}

PyObject *
pls_host_zone_data(const char *key, size_t len)
{
	char	   *buf = malloc(PLS_ZONE_DATA_MAX);
	int			n;
	PyObject   *data;

	if (buf == NULL)
		return PyErr_NoMemory();
	n = pls_zone_data_read(key, len, buf);
	if (n < 0)
		data = Py_NewRef(Py_None);
	else
		data = PyBytes_FromStringAndSize(buf, n);
	free(buf);
	return data;
}
