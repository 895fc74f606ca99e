# pg_clone: built and installed with PGXS.
#   make && make install        build pg_clone.so and install it with the extension script
#   make installcheck           pg_regress suite on a temporary instance that preloads pg_clone

MODULE_big = pg_clone
EXTENSION = pg_clone
DATA = pg_clone--1.0.sql pg_clone--1.0--1.1.sql pg_clone--1.1--1.2.sql
PGFILEDESC = "pg_clone - clone tables between PostgreSQL databases"

CORE_SRCS = $(wildcard src/core/*.cpp)
REMOTE_SRCS = $(wildcard src/remote/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp) $(wildcard src/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(REMOTE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

REGRESS = setup registry clone_sync clone_groups clone_tables clone_start many_sources empty_only \
          call_errors remote_errors check_violation rolled_back names cancel \
          emptying hostile_remote encodings session_settings deferrable_constraints own_catalog \
          two_phase sequences column_types refresh bucardo_cli drop_extension upgrade
REGRESS_OPTS = --temp-instance=tmp_check --temp-config=test/regress.conf --load-extension=pg_clone

PG_CONFIG ?= pg_config
# PostgreSQL headers are system headers to us: their C idioms (register) are not our warnings.
PG_CPPFLAGS = -isystem $(includedir_server) -isystem $(includedir_internal) -I$(libpq_srcdir) -Isrc
PG_CXXFLAGS = -std=c++17 -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror
SHLIB_LINK = -lpq -lstdc++

# Rebuild what includes a header when the header changes (.deps/, one file per object).
override autodepend = yes

# No LLVM bitcode for JIT: our code never runs inside expressions, and clang is not needed.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

EXTRA_CLEAN = tmp_check results regression.diffs regression.out build
