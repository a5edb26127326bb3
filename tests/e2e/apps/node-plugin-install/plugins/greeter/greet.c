#include <stdio.h>
#include <jansson.h>

int main(void)
{
    json_t *greeting = json_string("plugin built at run time");
    puts(json_string_value(greeting));
    json_decref(greeting);
    return 0;
}
