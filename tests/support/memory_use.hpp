//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The test process's own memory, for tests that bound what a transfer may hold (Linux).
#ifndef MLCLOUD_TEST_MEMORY_USE_HPP
#define MLCLOUD_TEST_MEMORY_USE_HPP

#include <fstream>
#include <string>

namespace mlcloud_test {

/// Current and peak resident set size in KiB, from /proc/self/status.
struct memory_use
{
    long rss_kib = 0;
    long hwm_kib = 0;
};

inline memory_use read_memory_use()
{
    memory_use m;
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key)
    {
        if (key == "VmRSS:")
            in >> m.rss_kib;
        else if (key == "VmHWM:")
            in >> m.hwm_kib;
    }
    return m;
}

/// Resets the peak RSS to the current RSS (Linux 4.0+); false when not possible.
inline bool reset_peak_rss()
{
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

} // namespace mlcloud_test

#endif
