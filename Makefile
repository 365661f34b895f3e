# plsafepy: built with PGXS against Debian's CPython 3.11 (never the pyenv one on PATH)

MODULE_big = plsafepy
EXTENSION = plsafepy
DATA = plsafepy--1.0.sql
PGFILEDESC = "plsafepy - trusted sandboxed Python procedural language"

PYTHON_CONFIG ?= /usr/bin/python3-config
PY_CFLAGS := $(shell $(PYTHON_CONFIG) --includes)
PY_LIBS := $(shell $(PYTHON_CONFIG) --embed --ldflags)
# the interpreter of the same version, to compile the embedded helpers
PLS_PYTHON ?= $(shell $(PYTHON_CONFIG) --prefix)/bin/python$(shell $(PYTHON_CONFIG) --embed --libs | sed -n 's/.*-lpython\([0-9.]*\).*/\1/p')

SRCS = $(sort $(wildcard src/*.c))
OBJS = $(SRCS:.c=.o)
# src/sandbox/*.py run in this order, in two namespaces (names.py says why)
SANDBOX_PY = builtins names guards facades policy lockdown setup reach
PY_EMBED = $(sort $(wildcard src/*.py)) $(SANDBOX_PY:%=src/sandbox/%.py)

PG_CPPFLAGS = -Isrc $(PY_CFLAGS)
SHLIB_LINK = $(PY_LIBS)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=plsafepy

EXTRA_CLEAN = src/embedded_py.h src/spiexceptions.h

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Trusted Python helpers are compiled into the library as bytecode.
src/embedded_py.h: $(PY_EMBED) tools/embed_py.py
	$(PLS_PYTHON) tools/embed_py.py $(PY_EMBED) > $@

# plpy.spiexceptions is generated from PostgreSQL's own errcodes.h.
src/spiexceptions.h: tools/gen_spiexceptions.sh
	PG_CONFIG=$(PG_CONFIG) sh tools/gen_spiexceptions.sh > $@

$(OBJS) $(OBJS:.o=.bc): src/plsafepy.h src/embedded_py.h src/spiexceptions.h
