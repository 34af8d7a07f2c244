// glibc's allocator statistics, which Swift's Glibc module does not import.
#pragma once
#include <stddef.h>

/// Bytes the allocator has handed out and not yet had back (small chunks plus mmapped ones).
size_t backtrack_heap_bytes_in_use(void);

/// Returns free memory at the top and in the middle of the heap to the kernel.
void backtrack_heap_trim(void);
