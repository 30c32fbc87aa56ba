#include "common/process.h"

#include <malloc.h>

namespace reclab {

void tuneAllocator() { mallopt(M_MMAP_THRESHOLD, 1 << 20); }

}  // namespace reclab
