/* Runs greeting-helper, a program of a package installed from a package file (dpkg -i):
   no package source has it, so the runtime must get its files from the builder. */
#include <stdio.h>

int main(void) {
    char line[128] = "";
    FILE *helper = popen("greeting-helper", "r");
    if (!helper || !fgets(line, sizeof line, helper) || pclose(helper) != 0) {
        fprintf(stderr, "greet: greeting-helper failed\n");
        return 1;
    }
    printf("greet: %s", line);
    return 0;
}
