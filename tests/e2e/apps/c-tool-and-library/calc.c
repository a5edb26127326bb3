/* Parses a JSON request with jansson (a -dev install at build time) and hands the sum to bc,
   a tool the image installs with apt: the runtime needs both. */
#include <jansson.h>
#include <stdio.h>

int main(void) {
    json_error_t error;
    json_t *request = json_loads("{\"expr\": \"6*7\"}", 0, &error);
    const char *expr = json_string_value(json_object_get(request, "expr"));
    char command[128], answer[64] = "";
    snprintf(command, sizeof command, "echo '%s' | bc", expr);
    FILE *bc = popen(command, "r");
    if (!bc || !fgets(answer, sizeof answer, bc) || pclose(bc) != 0) {
        fprintf(stderr, "calc: bc failed\n");
        return 1;
    }
    printf("calc (jansson %s): %s=%s", JANSSON_VERSION, expr, answer);
    json_decref(request);
    return 0;
}
