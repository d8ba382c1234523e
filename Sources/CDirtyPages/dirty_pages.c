#define _GNU_SOURCE
#include "dirty_pages.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

// Newer than the C library's headers on Debian 12; the values are the kernel's ABI.
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

struct stratus_page_region {
    uint64_t start, end, categories;
};

struct stratus_pm_scan_arg {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
    uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};

#define STRATUS_PAGEMAP_SCAN _IOWR('f', 16, struct stratus_pm_scan_arg)
#define STRATUS_PM_SCAN_CHECK_WPASYNC (1 << 1)
#define STRATUS_PAGE_IS_WRITTEN (1 << 1)

int stratus_dirty_open(stratus_dirty_pages *tracker) {
    // User mode only: what an unprivileged process may open; asynchronous faults never wait
    // on this descriptor anyway.
    int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    if (uffd < 0) return -errno;
    const uint64_t wanted = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED;
    struct uffdio_api api = {.api = UFFD_API, .features = wanted};
    if (ioctl(uffd, UFFDIO_API, &api) != 0 || (api.features & wanted) != wanted) {
        int error = errno ? errno : ENOTSUP;
        close(uffd);
        return -error;
    }
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pagemap < 0) {
        int error = errno;
        close(uffd);
        return -error;
    }
    tracker->uffd = uffd;
    tracker->pagemap = pagemap;
    return 0;
}

int stratus_dirty_track(stratus_dirty_pages tracker, uintptr_t start, uintptr_t length) {
    struct uffdio_register reg = {.range = {.start = start, .len = length}, .mode = UFFDIO_REGISTER_MODE_WP};
    if (ioctl(tracker.uffd, UFFDIO_REGISTER, &reg) != 0) return -errno;
    int armed = stratus_dirty_arm(tracker, start, length);
    if (armed != 0) stratus_dirty_untrack(tracker, start, length);
    return armed;
}

int stratus_dirty_untrack(stratus_dirty_pages tracker, uintptr_t start, uintptr_t length) {
    struct uffdio_range range = {.start = start, .len = length};
    return ioctl(tracker.uffd, UFFDIO_UNREGISTER, &range) == 0 ? 0 : -errno;
}

long stratus_dirty_written(stratus_dirty_pages tracker, uintptr_t start, uintptr_t end,
                           uintptr_t *runs, long capacity, uintptr_t *walk_end) {
    struct stratus_page_region regions[64];
    if (capacity > 64) capacity = 64;
    struct stratus_pm_scan_arg arg = {
        .size = sizeof arg,
        .flags = STRATUS_PM_SCAN_CHECK_WPASYNC,
        .start = start,
        .end = end,
        .vec = (uint64_t)(uintptr_t)regions,
        .vec_len = (uint64_t)capacity,
        .category_mask = STRATUS_PAGE_IS_WRITTEN,
        .return_mask = STRATUS_PAGE_IS_WRITTEN,
    };
    long count = ioctl(tracker.pagemap, STRATUS_PAGEMAP_SCAN, &arg);
    if (count < 0) return -errno;
    for (long i = 0; i < count; i++) {
        runs[2 * i] = (uintptr_t)regions[i].start;
        runs[2 * i + 1] = (uintptr_t)regions[i].end;
    }
    *walk_end = (uintptr_t)arg.walk_end;
    return count;
}

int stratus_dirty_arm(stratus_dirty_pages tracker, uintptr_t start, uintptr_t length) {
    struct uffdio_writeprotect protect = {.range = {.start = start, .len = length}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    return ioctl(tracker.uffd, UFFDIO_WRITEPROTECT, &protect) == 0 ? 0 : -errno;
}
