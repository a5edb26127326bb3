/* Links jansson, a library the runtime must get from somewhere: here the package sources
   stop answering after the build (as an archived Debian release's do), so the runtime gets
   the builder's copy of the library instead of installing its package. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    json_t *answer = json_pack("{s:i}", "answer", 42);
    char *text = json_dumps(answer, JSON_COMPACT);
    printf("jansson %s: %s\n", jansson_version_str(), text);
    free(text);
    json_decref(answer);
    return 0;
}
