# pg_clone: built and installed with PGXS.
#   make && make install        build pg_clone.so and install it with the extension script
#   make installcheck           pg_regress suite on a temporary instance that preloads pg_clone

MODULE_big = pg_clone
EXTENSION = pg_clone
DATA = pg_clone--1.0.sql pg_clone--1.0--1.1.sql pg_clone--1.1--1.2.sql pg_clone--1.2--1.3.sql pg_clone--1.3--1.4.sql pg_clone--1.4--1.5.sql
PGFILEDESC = "pg_clone - clone tables between PostgreSQL databases"

CORE_SRCS = $(wildcard src/core/*.cpp)
REMOTE_SRCS = $(wildcard src/remote/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp) $(wildcard src/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(REMOTE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

REGRESS = setup registry clone_sync clone_groups clone_tables clone_start many_sources empty_only \
          call_errors remote_errors check_violation rolled_back names cancel \
          emptying hostile_remote encodings session_settings deferrable_constraints own_catalog \
          two_phase sequences column_types refresh hostile_input system_catalogs table_patterns \
          no_columns binary_io freeze published referenced \
          max_rate commit_table bucardo_cli seed drop_extension \
          upgrade
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

# src/core and src/remote include no PostgreSQL header: they get every warning of the unit tests'
# CMake build, which may link these very objects (PG_CLONE_OBJECTS in CMakeLists.txt), and the one
# PostgreSQL 17 and 18 add (test/run_matrix.sh builds for those with these objects).
$(CORE_SRCS:.cpp=.o) $(REMOTE_SRCS:.cpp=.o): override CXXFLAGS += -Wunused-parameter -Wmissing-field-initializers \
    -Wshadow=compatible-local

# The pg_clone program (src/cli), installed next to PostgreSQL's own programs. PGXS builds either a
# MODULE_big or a PROGRAM, so the program has rules of its own, hooked to all, install, uninstall and
# clean. The version it prints is the extension's default_version.
CLI_PROGRAM = src/cli/pg_clone
CLI_SRCS = $(wildcard src/cli/*.cpp) $(wildcard src/cli/pq/*.cpp)
CLI_OBJS = $(CLI_SRCS:.cpp=.o)
CLI_VERSION := $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(srcdir)/pg_clone.control)
CLI_CXXFLAGS = -std=c++17 -O2 -g -Wall -Wextra -Wshadow=compatible-local -Werror -Isrc -I$(includedir) \
               -DPG_CLONE_VERSION='"$(CLI_VERSION)"'

all: $(CLI_PROGRAM)

# PostgreSQL 18 shows the library's name and version in pg_get_loaded_modules().
src/module.o: override CPPFLAGS += -DPG_CLONE_VERSION='"$(CLI_VERSION)"'

$(CLI_PROGRAM): $(CLI_OBJS)
	$(CXX) -o $@ $(CLI_OBJS) -L$(libdir) -lpq

src/cli/%.o: src/cli/%.cpp
	$(CXX) $(CLI_CXXFLAGS) -MMD -MP -c -o $@ $<

-include $(CLI_OBJS:.o=.d)

install: install-cli
install-cli: $(CLI_PROGRAM)
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(CLI_PROGRAM) '$(DESTDIR)$(bindir)/pg_clone'

uninstall: uninstall-cli
uninstall-cli:
	rm -f '$(DESTDIR)$(bindir)/pg_clone'

clean: clean-cli
clean-cli:
	rm -f $(CLI_PROGRAM) $(CLI_OBJS) $(CLI_OBJS:.o=.d)

.PHONY: install-cli uninstall-cli clean-cli
