#include "common/process.h"

#include <malloc.h>

namespace reclab {

void tuneAllocator() { mallopt(M_MMAP_THRESHOLD, 1 << 20); }

void tuneAllocatorForTraining() {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

}  // namespace reclab
