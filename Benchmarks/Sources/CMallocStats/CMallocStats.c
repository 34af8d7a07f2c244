#include "CMallocStats.h"
#if defined(__linux__)
#include <malloc.h>

size_t backtrack_heap_bytes_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

void backtrack_heap_trim(void) { malloc_trim(0); }
#else
size_t backtrack_heap_bytes_in_use(void) { return 0; }
void backtrack_heap_trim(void) {}
#endif
