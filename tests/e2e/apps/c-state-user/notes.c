/* Writes to $HOME and to a folder its build made and gave to its user: fails without them. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int write_line(const char *path, const char *text) {
    FILE *f = fopen(path, "a");
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "%s\n", text);
    return fclose(f) != 0;
}

int main(void) {
    const char *home = getenv("HOME");
    struct passwd *who = getpwuid(getuid());
    char rc[512];
    if (!home || !who) {
        fprintf(stderr, "notes: no HOME or no passwd entry\n");
        return 1;
    }
    snprintf(rc, sizeof rc, "%s/.notesrc", home);
    if (write_line(rc, "colour=never") || write_line("/var/lib/notes/log", "started"))
        return 1;
    printf("notes: user=%s home=%s wrote 2 files\n", who->pw_name, home);
    return 0;
}
