/*-------------------------------------------------------------------------
 *
 * xml_entities.c
 *	  The bound on the entities a document parsed by xml.etree.ElementTree
 *	  may declare (sandbox/moduleguards.py's fromstring and its kin).
 *	  expat expands an entity whose text refers to another by calling
 *	  itself, in content, in attribute values and in the document type
 *	  declaration, with no depth limit up to expat 2.7.0 (CVE-2024-8176):
 *	  a chain of about 30,000 entities, three megabytes of text, overflows
 *	  the C stack, in libexpat, where the crash tripwire does not look.  A
 *	  chain is at most as long as the number of entities declared, so the
 *	  document is first read by a parser of its own, with the same libexpat
 *	  fed the same way as pyexpat feeds it, up to the end of the document
 *	  type declaration (or the first element) or the bound's first excess,
 *	  which stops it: no entity is expanded past the bound.  Part of the
 *	  Python side: no PostgreSQL header.
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"

#include <expat.h>

/*
 * The most entities (general and parameter, internal and external) a
 * document may declare.  A level of expat's recursion takes at most 0.4 kB
 * of C stack (measured with 3.11's pyexpat and Debian's expat 2.5.0), so
 * the deepest chain takes at most 0.4 MB beside Python's max_stack_depth.
 */
#define PLS_XML_ENTITIES_MAX 1000

static const XML_Memory_Handling_Suite memory = {
	PyObject_Malloc, PyObject_Realloc, PyObject_Free
};

typedef struct EntityCount
{
	XML_Parser	parser;
	int			declared;
	bool		over;
} EntityCount;

static void XMLCALL
count_entity(void *data, const XML_Char *name, int is_parameter_entity,
			 const XML_Char *value, int value_length, const XML_Char *base,
			 const XML_Char *system_id, const XML_Char *public_id,
			 const XML_Char *notation_name)
{
	EntityCount *c = (EntityCount *) data;

	if (++c->declared > PLS_XML_ENTITIES_MAX)
	{
		c->over = true;
		XML_StopParser(c->parser, XML_FALSE);
	}
}

/* The prolog is over: every declaration has been counted. */
static void XMLCALL
end_doctype(void *data)
{
	XML_StopParser(((EntityCount *) data)->parser, XML_FALSE);
}

static void XMLCALL
start_element(void *data, const XML_Char *name, const XML_Char **atts)
{
	XML_StopParser(((EntityCount *) data)->parser, XML_FALSE);
}

/*
 * An encoding expat does not know, as pyexpat reads it: a single-byte
 * Python codec, decoded with "replace" (pyexpat.c's
 * PyUnknownEncodingHandler), so that this parser reads the document as
 * pyexpat's will.  The codec's errors stay set for the caller.
 */
static int XMLCALL
unknown_encoding(void *data, const XML_Char *name, XML_Encoding *info)
{
	char		bytes[256];
	PyObject   *u;

	if (PyErr_Occurred())
		return XML_STATUS_ERROR;
	for (int i = 0; i < 256; i++)
		bytes[i] = (char) i;
	u = PyUnicode_Decode(bytes, 256, name, "replace");
	if (u == NULL)
		return XML_STATUS_ERROR;
	if (PyUnicode_GET_LENGTH(u) != 256)
	{
		Py_DECREF(u);
		PyErr_SetString(PyExc_ValueError, "multi-byte encodings are not supported");
		return XML_STATUS_ERROR;
	}
	for (int i = 0; i < 256; i++)
	{
		Py_UCS4		ch = PyUnicode_READ_CHAR(u, i);

		info->map[i] = ch == Py_UNICODE_REPLACEMENT_CHARACTER ? -1 : (int) ch;
	}
	info->data = NULL;
	info->convert = NULL;
	info->release = NULL;
	Py_DECREF(u);
	return XML_STATUS_OK;
}

/*
 * Feed item (a str, or an object with a buffer) to p as pyexpat's Parse
 * does: a str as UTF-8, with the encoding set to UTF-8 (ignored once
 * parsing has begun).  Its bytes, as a new exact bytes object or str, go
 * to *frozen; NULL with an exception set if item is neither.  Whether p
 * went on is in *more.
 */
static int
feed(XML_Parser p, PyObject *item, PyObject **frozen, bool *more)
{
	const char *s;
	Py_ssize_t	len;
	Py_buffer	view;

	if (PyUnicode_Check(item))
	{
		if ((s = PyUnicode_AsUTF8AndSize(item, &len)) == NULL)
			return -1;
		*frozen = PyUnicode_CheckExact(item) ? Py_NewRef(item) :
			PyUnicode_FromStringAndSize(s, len);
		if (*frozen == NULL)
			return -1;
		(void) XML_SetEncoding(p, "utf-8");
	}
	else
	{
		if (PyObject_GetBuffer(item, &view, PyBUF_SIMPLE) < 0)
			return -1;
		*frozen = PyBytes_FromStringAndSize(view.buf, view.len);
		PyBuffer_Release(&view);
		if (*frozen == NULL)
			return -1;
		s = PyBytes_AS_STRING(*frozen);
		len = PyBytes_GET_SIZE(*frozen);
	}
	/* one call at least, as pyexpat makes (an empty one begins parsing) */
	while (*more)
	{
		int			n = len > INT_MAX ? INT_MAX : (int) len;

		*more = XML_Parse(p, s, n, XML_FALSE) == XML_STATUS_OK;
		s += n;
		len -= n;
		if (len == 0)
			break;
	}
	return 0;
}

/*
 * Python-callable _xml_entities_check(items): items (a list of what
 * ElementTree's parser would be fed: str, or objects with a buffer) as a
 * new list of str and bytes with the same text (what to give the real
 * parser: user code cannot change it meanwhile), or None if the document
 * declares more than PLS_XML_ENTITIES_MAX entities.
 */
static PyObject *
py_xml_entities_check(PyObject *self, PyObject *items)
{
	EntityCount c = {NULL, 0, false};
	PyObject   *frozen;
	bool		more = true;

	if (!PyList_CheckExact(items))
	{
		PyErr_SetString(PyExc_TypeError, "items must be a list");
		return NULL;
	}
	if ((frozen = PyList_New(PyList_GET_SIZE(items))) == NULL)
		return NULL;
	/*
	 * Python's allocator, as pyexpat's (the memory limit counts it), and
	 * the namespace separator of xml.etree.ElementTree's XMLParser
	 */
	if ((c.parser = XML_ParserCreate_MM(NULL, &memory, "}")) == NULL)
	{
		Py_DECREF(frozen);
		return PyErr_NoMemory();
	}
	XML_SetUserData(c.parser, &c);
	XML_SetEntityDeclHandler(c.parser, count_entity);
	XML_SetDoctypeDeclHandler(c.parser, NULL, end_doctype);
	XML_SetStartElementHandler(c.parser, start_element);
	XML_SetUnknownEncodingHandler(c.parser, unknown_encoding, NULL);
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++)
	{
		PyObject   *item = PyList_GET_ITEM(items, i);
		PyObject   *bytes = NULL;
		int			rc;

		Py_INCREF(item);
		rc = feed(c.parser, item, &bytes, &more);
		Py_DECREF(item);
		if (rc < 0 || PyErr_Occurred())
		{
			Py_XDECREF(bytes);
			Py_DECREF(frozen);
			XML_ParserFree(c.parser);
			return NULL;
		}
		PyList_SET_ITEM(frozen, i, bytes);
	}
	if (more)
		(void) XML_Parse(c.parser, "", 0, XML_TRUE);
	XML_ParserFree(c.parser);
	if (PyErr_Occurred())
	{
		Py_DECREF(frozen);
		return NULL;
	}
	if (c.over)
	{
		Py_DECREF(frozen);
		Py_RETURN_NONE;
	}
	return frozen;
}

PyMethodDef pls_xml_entities_check_def = {
	"_xml_entities_check", py_xml_entities_check, METH_O,
	"A document's text for ElementTree's parser, or None if it declares "
	"too many entities (trusted helpers only)."
};
