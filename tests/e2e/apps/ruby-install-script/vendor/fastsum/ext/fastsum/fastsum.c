/* A native extension: compiled against -dev headers in the builder, it links libsqlite3,
   which the runtime must install by its run-time package name. */
#include <ruby.h>
#include <sqlite3.h>

static VALUE fastsum_sum(VALUE self, VALUE list) {
    long total = 0;
    for (long i = 0; i < RARRAY_LEN(list); i++) {
        total += NUM2LONG(rb_ary_entry(list, i));
    }
    return LONG2NUM(total);
}

static VALUE fastsum_sqlite_version(VALUE self) {
    return rb_str_new_cstr(sqlite3_libversion());
}

void Init_fastsum(void) {
    VALUE mod = rb_define_module("Fastsum");
    rb_define_module_function(mod, "sum", fastsum_sum, 1);
    rb_define_module_function(mod, "sqlite_version", fastsum_sqlite_version, 0);
}
