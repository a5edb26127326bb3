#include <stdio.h>

int main(void) {
    puts("hello from a static binary the installer found at /hello");
    return 0;
}
