require "mkmf"
abort "libsqlite3 is missing" unless have_library("sqlite3", "sqlite3_libversion")
create_makefile("fastsum/fastsum")
