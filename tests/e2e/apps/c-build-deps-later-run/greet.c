/* Reads its config from /etc and its words from its install prefix, and parses them with
   jansson: the runtime needs the installed tree, the config and the library. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    json_error_t error;
    json_t *config = json_load_file("/etc/greet/greet.json", 0, &error);
    FILE *words = fopen("/usr/local/share/greet/words.txt", "r");
    char word[64] = "";
    if (!config || !words || !fgets(word, sizeof word, words)) {
        fprintf(stderr, "greet: missing config or words\n");
        return 1;
    }
    printf("greet: %s %s (jansson %s)\n", word[0] ? strtok(word, "\n") : "",
           json_string_value(json_object_get(config, "name")), JANSSON_VERSION);
    return 0;
}
