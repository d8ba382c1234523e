// Which pages of anonymous memory were written since they were last armed: userfaultfd's
// asynchronous write protection (the kernel clears a page's protection on the first write,
// without waking anyone) read back with the PAGEMAP_SCAN ioctl. Linux 6.7 or later.
#ifndef STRATUS_DIRTY_PAGES_H
#define STRATUS_DIRTY_PAGES_H

#include <stdint.h>

typedef struct {
    int uffd;
    int pagemap;
} stratus_dirty_pages;

/// Opens the two descriptors: 0, or -errno when the kernel lacks what this needs.
int stratus_dirty_open(stratus_dirty_pages *tracker);

/// Starts tracking [start, start + length), page aligned: every page counts as clean.
int stratus_dirty_track(stratus_dirty_pages tracker, uintptr_t start, uintptr_t length);

/// Stops tracking the range.
int stratus_dirty_untrack(stratus_dirty_pages tracker, uintptr_t start, uintptr_t length);

/// Writes up to `capacity` runs of written pages in [start, end) to `runs` as start and end
/// pairs, and where the walk stopped to `walk_end` (end once all was seen). Returns how many
/// runs, or -errno. Reading does not clean the pages: `stratus_dirty_arm` does.
long stratus_dirty_written(stratus_dirty_pages tracker, uintptr_t start, uintptr_t end,
                           uintptr_t *runs, long capacity, uintptr_t *walk_end);

/// Counts [start, start + length) clean again.
int stratus_dirty_arm(stratus_dirty_pages tracker, uintptr_t start, uintptr_t length);

#endif
