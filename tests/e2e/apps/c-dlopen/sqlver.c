/* Loads SQLite with dlopen at run time, as plugin hosts and optional backends do: ldd does
   not list the library, so the runtime must learn of it from the name in the program. */
#include <dlfcn.h>
#include <stdio.h>

int main(void) {
    void *lib = dlopen("libsqlite3.so.0", RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "sqlver: %s\n", dlerror());
        return 1;
    }
    const char *(*version)(void) = (const char *(*)(void))dlsym(lib, "sqlite3_libversion");
    if (!version) {
        fprintf(stderr, "sqlver: %s\n", dlerror());
        return 1;
    }
    printf("sqlite %s loaded at run time\n", version());
    return 0;
}
