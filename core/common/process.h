#pragma once
/// Process-wide settings that only an executable's main() should make.

namespace reclab {

/// Fixes glibc's mmap threshold at 1 MiB. By default glibc raises the threshold after large
/// buffers are freed, so the big scratch tables of a parallel load end up in per-thread heaps
/// and stay resident after the load (about 1.3 bytes per event on a 24 M-row Yoochoose file).
/// With a fixed threshold they are mapped and unmapped directly. Call once, early in main().
void tuneAllocator();

/// For mini-batch training: large tensors (activations, gradients of a batch) are allocated
/// and freed at every step; above the mmap threshold each one costs an mmap / munmap pair and
/// page faults (half the time of a hybrid-CNN epoch went to the kernel). Raises the threshold
/// to 256 MiB and keeps freed memory for reuse (trim threshold 512 MiB). The LibTorch trainer
/// calls it when training starts; tuneAllocator() puts the loading setting back.
void tuneAllocatorForTraining();

}  // namespace reclab
