//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLI_ARGS_HPP
#define MLCLOUD_CLI_ARGS_HPP

// A small command-line reader: `--name value`, `--name=value`, `--flag`, positionals, and
// everything after `--` kept verbatim (the workload's own argv).

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_cli {

/// Thrown for a usage mistake; main() prints it with the command's usage and exits 2.
struct usage_error : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

class args
{
public:
    /// `flags` take no value; every other `--name` takes one.
    args(std::vector<std::string> argv, std::set<std::string> const& flags)
    {
        for (std::size_t i = 0; i < argv.size(); ++i)
        {
            std::string const& a = argv[i];
            if (a == "--")
            {
                rest_.assign(argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
                break;
            }
            if (!a.starts_with("-") || a == "-")
            {
                positional_.push_back(a);
                continue;
            }
            if (!a.starts_with("--"))
                throw usage_error("unknown option " + a + " (options are spelt --name)");
            std::string name = a.substr(2);
            std::optional<std::string> value;
            if (auto eq = name.find('='); eq != std::string::npos)
            {
                value = name.substr(eq + 1);
                name.resize(eq);
            }
            if (flags.count(name))
            {
                if (value)
                    throw usage_error("--" + name + " takes no value");
                options_[name].push_back("");
                continue;
            }
            if (!value)
            {
                if (i + 1 >= argv.size())
                    throw usage_error("--" + name + " needs a value");
                value = argv[++i];
            }
            options_[name].push_back(*value);
        }
    }

    bool flag(std::string const& name) const { return options_.count(name) != 0; }

    std::optional<std::string> get(std::string const& name) const
    {
        auto it = options_.find(name);
        if (it == options_.end())
            return std::nullopt;
        return it->second.back();
    }

    std::string require(std::string const& name) const
    {
        if (auto v = get(name))
            return *v;
        throw usage_error("missing --" + name);
    }

    std::vector<std::string> all(std::string const& name) const
    {
        auto it = options_.find(name);
        return it == options_.end() ? std::vector<std::string>{} : it->second;
    }

    std::vector<std::string> const& positional() const { return positional_; }
    std::vector<std::string> const& rest() const { return rest_; }

    /// Rejects options the command does not know and words beyond the `max_positionals` it
    /// takes, so a typo or a workload command without `--` before it is not silently ignored.
    void allow_only(std::set<std::string> const& known, std::size_t max_positionals = 0) const
    {
        for (auto const& [name, values] : options_)
            if (!known.count(name))
                throw usage_error("unknown option --" + name);
        if (positional_.size() > max_positionals)
            throw usage_error("unexpected argument '" + positional_[max_positionals] +
                              "' (a workload's own command goes after --)");
    }

    /// The number given with `--name`, if any: finite and above zero (a price cap of nan would
    /// compare false with every price and let any through); a usage error naming the option
    /// otherwise.
    template <class Number>
    std::optional<Number> positive_number(std::string const& name) const
    {
        auto text = get(name);
        if (!text)
            return std::nullopt;
        Number n{};
        auto const* end = text->data() + text->size();
        auto [ptr, ec] = std::from_chars(text->data(), end, n);
        if (ec != std::errc() || ptr != end || text->empty() || !(n > Number{0}) || !std::isfinite(n))
            throw usage_error("--" + name + ": expected a number above 0, not '" + *text + "'");
        return n;
    }

    std::string positional_at(std::size_t i, std::string_view what) const
    {
        if (i >= positional_.size())
            throw usage_error("missing " + std::string(what));
        return positional_[i];
    }

private:
    std::map<std::string, std::vector<std::string>> options_;
    std::vector<std::string> positional_;
    std::vector<std::string> rest_;
};

/// "90s", "15m", "2h", "1h30m" or plain seconds.
std::optional<long long> parse_duration_seconds(std::string_view text);

} // namespace mlcloud_cli

#endif
