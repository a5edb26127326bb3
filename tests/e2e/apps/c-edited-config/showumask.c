/* Prints the UMASK line of /etc/login.defs, a file the login package owns and the build
   edits: the runtime must have the edited file, not the package's own. */
#include <stdio.h>
#include <string.h>

int main(void) {
    char line[256];
    FILE *defs = fopen("/etc/login.defs", "r");
    if (!defs) {
        perror("showumask: /etc/login.defs");
        return 1;
    }
    while (fgets(line, sizeof line, defs)) {
        if (strncmp(line, "UMASK", 5) == 0) {
            fputs(line, stdout);
            fclose(defs);
            return 0;
        }
    }
    fclose(defs);
    fprintf(stderr, "showumask: no UMASK line\n");
    return 1;
}
