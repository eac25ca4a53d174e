/* segv.c - dies of SIGSEGV writing through NULL (a shell reports exit status 139).
 * Nothing may be printed after the first line. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("about to dereference NULL\n");
    fflush(stdout);
    volatile int *volatile p = NULL; /* both volatile, or gcc drops the store */
    *p = 42;
    /* not reached */
    write(1, "FAIL: still alive after the NULL write\n", 39);
    return 1;
}
