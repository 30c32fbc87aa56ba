#pragma once
/// Process-wide settings that only an executable's main() should make.

namespace reclab {

/// Fixes glibc's mmap threshold at 1 MiB. By default glibc raises the threshold after large
/// buffers are freed, so the big scratch tables of a parallel load end up in per-thread heaps
/// and stay resident after the load (about 1.3 bytes per event on a 24 M-row Yoochoose file).
/// With a fixed threshold they are mapped and unmapped directly. Call once, early in main().
void tuneAllocator();

}  // namespace reclab
