//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_TESTS_FUZZ_FUZZ_HPP
#define MLCLOUD_TESTS_FUZZ_FUZZ_HPP

// What every fuzz target shares: the libFuzzer entry point's signature, a small reader that
// takes a few control bytes off the front of an input, and the check that ends a run when a
// property the target asserts does not hold.
//
// The targets are built twice: with clang's libFuzzer (-fsanitize=fuzzer) in the fuzz build,
// and with any compiler against replay_main.cpp, which runs the committed corpus through the
// same LLVMFuzzerTestOneInput (tests/fuzz/CMakeLists.txt).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size);

namespace mlcloud_fuzz {

/// The input as text, with a few control bytes taken off the front.
class input
{
public:
    input(std::uint8_t const* data, std::size_t size) : rest_(reinterpret_cast<char const*>(data), size) {}

    /// The next byte (0 when the input is exhausted).
    std::uint8_t byte() noexcept
    {
        if (rest_.empty())
            return 0;
        auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }

    /// Text up to (not including) the next `delimiter`, which is consumed; everything left
    /// when there is none.
    std::string_view until(char delimiter) noexcept
    {
        auto at = rest_.find(delimiter);
        auto out = rest_.substr(0, at);
        rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
        return out;
    }

    std::string_view rest() const noexcept { return rest_; }

private:
    std::string_view rest_;
};

/// Ends the run (a crash libFuzzer records, with the input) when a property does not hold.
inline void check(bool ok, char const* what)
{
    if (!ok)
    {
        std::fprintf(stderr, "fuzz property violated: %s\n", what);
        std::abort();
    }
}

} // namespace mlcloud_fuzz

#endif
