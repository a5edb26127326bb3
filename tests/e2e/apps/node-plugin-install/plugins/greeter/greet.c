#include <stdio.h>

int main(void)
{
    puts("plugin built at run time");
    return 0;
}
