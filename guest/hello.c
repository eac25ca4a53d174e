/* hello.c - the smallest guest: stdio output through libc (glibc and musl builds). */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    return 0;
}
