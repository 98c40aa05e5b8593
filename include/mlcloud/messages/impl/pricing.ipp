//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_IMPL_PRICING_IPP
#define MLCLOUD_MESSAGES_IMPL_PRICING_IPP

#include <mlcloud/messages/pricing.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

namespace mlcloud {
namespace messages {
namespace detail {

// ---------------------------------------------------------------------------------------------
// The built-in table. Sources and confidence are explained in docs/pricing.md; every price is
// USD per hour (per GPU for RunPod, per instance for AWS).

inline constexpr char const* runpod_graphql_source =
    "RunPod GraphQL gpuTypes payload (runpod-api.md section 8)";
inline constexpr char const* runpod_catalog_source =
    "runpod.io/pricing via datareceipts vendors.json; community price via privum/ai-compute-prices "
    "(runpod-api.md section 8)";
inline constexpr char const* original_bot_source =
    "original bot: GPU_TYPE_DESCRIPTIONS in src/bot/messages/cloud_messages.py "
    "(original-system-summary.md)";
inline constexpr char const* aws_source = "AWS on-demand price list, us-east-1, Linux";
inline constexpr char const* aws_as_of = "2025-06-01";

// Bounds on what a pricing file may say about a machine: far above any GPU sold, and low
// enough that a machine's total memory (vram_gb x gpu_count) is an int.
inline constexpr std::int64_t max_vram_gb = 4096;
inline constexpr std::int64_t max_gpu_count = 256;

inline gpu_offer runpod_row(std::string id, std::string name, int vram, double secure, std::optional<double> community,
                            std::string pool, std::string source, std::string as_of, confidence c,
                            std::string note = {})
{
    gpu_offer o;
    o.provider = "runpod";
    o.id = std::move(id);
    o.display_name = name;
    o.gpu = std::move(name);
    o.vram_gb = vram;
    o.on_demand_usd_per_hour = secure;
    o.spot_usd_per_hour = community;
    o.billing = per_second_billing;
    o.serverless_pool = std::move(pool);
    o.source = std::move(source);
    o.as_of = std::move(as_of);
    o.note = std::move(note);
    o.confidence = c;
    return o;
}

inline gpu_offer original_bot_row(std::string id, std::string name, int vram, double price, std::string note)
{
    auto o = runpod_row(std::move(id), std::move(name), vram, price, std::nullopt, {}, original_bot_source,
                        "2025-10-24", confidence::medium, std::move(note));
    o.offered = false;
    return o;
}

inline gpu_offer aws_row(std::string id, std::string gpu, int count, int vram, double price, confidence c,
                         std::string note = {})
{
    gpu_offer o;
    o.provider = "aws";
    o.display_name = id + " (" + (count > 1 ? std::to_string(count) + "x " : std::string()) + gpu + ")";
    o.id = std::move(id);
    o.gpu = "NVIDIA " + gpu;
    o.gpu_count = count;
    o.vram_gb = vram;
    o.on_demand_usd_per_hour = price;
    o.billing = ec2_billing;
    o.source = aws_source;
    o.as_of = aws_as_of;
    o.note = note.empty() ? "spot prices vary by zone and hour; read them at launch" : std::move(note);
    o.confidence = c;
    return o;
}

inline std::vector<gpu_offer> builtin_rows()
{
    using c = confidence;
    return {
        // RunPod, current ids and prices (secure / community).
        runpod_row("NVIDIA RTX A5000", "RTX A5000", 24, 0.27, 0.16, "AMPERE_24", runpod_graphql_source, "2026-08-25", c::medium),
        runpod_row("NVIDIA GeForce RTX 4090", "RTX 4090", 24, 0.74, 0.34, "ADA_24", runpod_graphql_source, "2026-08-25", c::medium),
        runpod_row("NVIDIA A40", "A40", 48, 0.44, std::nullopt, "AMPERE_48",
                   "privum/ai-compute-prices dataset (runpod-api.md section 8)", "2026-08-19", c::low,
                   "other sources list $0.39-0.40; no community price seen"),
        runpod_row("NVIDIA L40S", "L40S", 48, 0.86, std::nullopt, "ADA_48_PRO",
                   "third-party median of RunPod prices (runpod-api.md section 8)", "2026-06-30", c::low,
                   "secure or community not stated; sources range $0.79-0.86"),
        runpod_row("NVIDIA A100 80GB PCIe", "A100 PCIe 80GB", 80, 1.79, 1.19, "AMPERE_80", runpod_catalog_source, "2026-11-09", c::medium,
                   "secure price rose from $1.39 (2026-08) to $1.79"),
        runpod_row("NVIDIA A100-SXM4-80GB", "A100 SXM 80GB", 80, 1.79, 1.39, "AMPERE_80", runpod_catalog_source, "2026-11-09", c::medium),
        runpod_row("NVIDIA H100 PCIe", "H100 PCIe", 80, 2.89, 1.99, "ADA_80_PRO", runpod_catalog_source, "2026-11-09", c::medium),
        runpod_row("NVIDIA H100 80GB HBM3", "H100 SXM", 80, 3.99, 2.69, "ADA_80_PRO", runpod_catalog_source, "2026-11-09", c::medium,
                   "secure price moved $3.29 -> $3.49 -> $3.99 during 2026"),

        // The four GPUs the original bot offered, at the prices it quoted. Kept for reference.
        original_bot_row("NVIDIA RTX A5000", "RTX A5000", 24, 0.29, "the original bot's price"),
        original_bot_row("NVIDIA A40", "A40", 48, 0.39, "the original bot's price; it called the GPU 'NVIDIA RTX A40'"),
        original_bot_row("NVIDIA A100 PCIe 40GB", "A100 PCIe 40GB", 40, 0.79,
                         "the original bot's price; RunPod has no current GPU type id for the A100 PCIe 40GB, "
                         "so it cannot be launched"),
        original_bot_row("NVIDIA A100 80GB PCIe", "A100 PCIe 80GB", 80, 1.19,
                         "the original bot's price; it called the GPU 'NVIDIA A100 PCIe 80GB'"),

        // AWS EC2 GPU instances, on-demand, us-east-1.
        aws_row("g4dn.xlarge", "T4", 1, 16, 0.526, c::medium),
        aws_row("g4dn.2xlarge", "T4", 1, 16, 0.752, c::medium),
        aws_row("g6.xlarge", "L4", 1, 24, 0.8048, c::medium),
        aws_row("g6.2xlarge", "L4", 1, 24, 0.9776, c::medium),
        aws_row("g5.xlarge", "A10G", 1, 24, 1.006, c::medium),
        aws_row("g5.2xlarge", "A10G", 1, 24, 1.212, c::medium),
        aws_row("g6e.xlarge", "L40S", 1, 48, 1.861, c::low, "uncertain: not re-checked; spot prices vary"),
        aws_row("p3.2xlarge", "V100", 1, 16, 3.06, c::medium),
        aws_row("g5.12xlarge", "A10G", 4, 24, 5.672, c::medium),
        aws_row("p3.8xlarge", "V100", 4, 16, 12.24, c::medium),
        aws_row("p4d.24xlarge", "A100 40GB", 8, 40, 32.7726, c::low,
                "uncertain: list price before AWS's 2025 P4/P5 price reductions; likely lower now"),
    };
}

inline constexpr char const* runpod_serverless_source =
    "RunPod serverless pricing, flex workers (runpod docs serverless/pricing.mdx; runpod-api.md sections 6 and 8)";

inline std::vector<serverless_rate> builtin_serverless()
{
    auto rate = [](std::string pool, std::string gpus, int vram, double flex, std::optional<double> active = {}) {
        return serverless_rate{std::move(pool), std::move(gpus), vram, flex, active, runpod_serverless_source,
                               "2026-08-20"};
    };
    return {
        rate("AMPERE_16", "16 GB GPUs", 16, 0.00016),
        rate("AMPERE_24", "L4, RTX A5000, RTX 3090", 24, 0.00019),
        rate("ADA_24", "RTX 4090 PRO", 24, 0.00031),
        rate("AMPERE_48", "RTX A6000, A40", 48, 0.00034),
        rate("ADA_48_PRO", "L40, L40S, RTX 6000 Ada", 48, 0.00053),
        rate("AMPERE_80", "A100", 80, 0.00076, 0.00060),
        rate("ADA_80_PRO", "H100 PRO", 80, 0.00116),
    };
}

// ---------------------------------------------------------------------------------------------
// Override documents

/// Thrown inside apply_overrides only, and turned into an mlcloud::error there.
struct bad_override
{
    std::string message;
};

class override_fields
{
public:
    override_fields(boost::json::object const& o, std::string where) : object_(o), where_(std::move(where)) {}

    [[noreturn]] void fail(std::string_view field, std::string_view problem) const
    {
        throw bad_override{where_ + ": field '" + std::string(field) + "' " + std::string(problem)};
    }

    /// Refuses fields outside `known`, so a misspelt price cannot be silently ignored.
    void only(std::initializer_list<std::string_view> known) const
    {
        for (auto const& kv : object_)
        {
            std::string_view const key(kv.key().data(), kv.key().size());
            if (std::find(known.begin(), known.end(), key) == known.end())
                fail(key, "is not a known field");
        }
    }

    bool has(std::string_view field) const { return object_.contains(field); }

    std::string text(std::string_view field) const
    {
        auto const& v = object_.at(field);
        if (!v.is_string())
            fail(field, "must be a string");
        return std::string(v.get_string());
    }

    std::string required_text(std::string_view field) const
    {
        if (!has(field))
            fail(field, "is missing");
        auto s = text(field);
        if (s.empty())
            fail(field, "must not be empty");
        return s;
    }

    double money(std::string_view field) const { return money(object_.at(field), field); }

    double money(boost::json::value const& v, std::string_view field) const
    {
        boost::system::error_code ec;
        double const d = v.is_number() ? v.to_number<double>(ec) : -1.0;
        if (!v.is_number() || ec || !std::isfinite(d) || d < 0.0)
            fail(field, "must be a non-negative number");
        return d;
    }

    std::optional<double> optional_money(std::string_view field) const
    {
        auto const& v = object_.at(field);
        if (v.is_null())
            return std::nullopt;
        return money(v, field);
    }

    int integer(std::string_view field, std::int64_t low, std::int64_t high = std::numeric_limits<int>::max()) const
    {
        return integer(object_.at(field), field, low, high);
    }

    int integer(boost::json::value const& v, std::string_view field, std::int64_t low,
                std::int64_t high = std::numeric_limits<int>::max()) const
    {
        boost::system::error_code ec;
        auto const n = v.is_number() ? v.to_number<std::int64_t>(ec) : std::int64_t{0};
        if (!v.is_number() || ec || n < low || n > high)
            fail(field, high < std::numeric_limits<int>::max()
                            ? "must be a whole number from " + std::to_string(low) + " to " + std::to_string(high)
                            : "must be a whole number of at least " + std::to_string(low));
        return static_cast<int>(n);
    }

    bool boolean(std::string_view field) const
    {
        auto const& v = object_.at(field);
        if (!v.is_bool())
            fail(field, "must be true or false");
        return v.get_bool();
    }

    boost::json::object const& object(std::string_view field) const
    {
        auto const& v = object_.at(field);
        if (!v.is_object())
            fail(field, "must be an object");
        return v.get_object();
    }

private:
    boost::json::object const& object_;
    std::string where_;
};

inline boost::json::array const& array_member(boost::json::object const& o, std::string_view key,
                                              std::string const& origin)
{
    auto const& v = o.at(key);
    if (!v.is_array())
        throw bad_override{origin + ": '" + std::string(key) + "' must be an array"};
    return v.get_array();
}

inline boost::json::object const& entry_object(boost::json::value const& v, std::string const& where)
{
    if (!v.is_object())
        throw bad_override{where + ": must be an object"};
    return v.get_object();
}

inline confidence parse_confidence(override_fields const& f)
{
    auto const s = f.text("confidence");
    if (s == "high")
        return confidence::high;
    if (s == "medium")
        return confidence::medium;
    if (s == "low")
        return confidence::low;
    f.fail("confidence", "must be \"high\", \"medium\" or \"low\"");
}

/// The provider names an override file may use in new rows: those the table already has and those
/// the file declares in "providers". Anything else is taken for a misspelling, which would add rows
/// no provider ever looks up.
inline std::vector<std::string> usable_providers(pricing_table const& table, boost::json::object const& top,
                                                 std::string const& origin)
{
    std::vector<std::string> names;
    for (auto const& row : table.rows())
        if (std::find(names.begin(), names.end(), row.provider) == names.end())
            names.push_back(row.provider);
    if (!top.contains("providers"))
        return names;
    auto const& declared = array_member(top, "providers", origin);
    for (std::size_t i = 0; i < declared.size(); ++i)
    {
        auto const& v = declared[i];
        if (!v.is_string() || v.get_string().empty())
            throw bad_override{origin + ": providers[" + std::to_string(i) + "] must be a provider name"};
        names.emplace_back(v.get_string());
    }
    return names;
}

inline void require_usable_provider(std::vector<std::string> const& usable, std::string const& provider,
                                    std::string const& where)
{
    if (std::find(usable.begin(), usable.end(), provider) != usable.end())
        return;
    std::string known;
    for (auto const& name : usable)
        known += (known.empty() ? "" : ", ") + name;
    throw bad_override{where + ": no provider is named \"" + provider + "\" (known: " + known +
                       "); a file that adds a provider lists it in \"providers\""};
}

inline void apply_row(pricing_table& table, boost::json::value const& v, std::string const& where,
                      std::string const& origin, std::vector<std::string> const& usable_providers)
{
    auto const& o = entry_object(v, where);
    override_fields const probe(o, where);
    auto const provider = probe.required_text("provider");
    auto const id = probe.required_text("id");
    auto const entry = where + " (" + provider + " \"" + id + "\")";
    override_fields const f(o, entry);
    f.only({"provider", "id", "display_name", "gpu", "gpu_count", "vram_gb", "on_demand_usd_per_hour",
            "spot_usd_per_hour", "billing", "serverless_pool", "source", "as_of", "note", "confidence", "offered"});

    bool const offered = f.has("offered") ? f.boolean("offered") : true;
    gpu_offer row;
    auto const match = std::find_if(table.rows().begin(), table.rows().end(), [&](gpu_offer const& r) {
        return r.provider == provider && r.id == id && r.offered == offered;
    });
    if (match != table.rows().end())
    {
        row = *match; // merge: fields not given keep their value
    }
    else
    {
        // A new row: its provider must exist, its price and memory must be given; the rest has
        // sensible defaults.
        require_usable_provider(usable_providers, provider, entry);
        if (!f.has("on_demand_usd_per_hour"))
            f.fail("on_demand_usd_per_hour", "is missing (required for a new row)");
        if (!f.has("vram_gb"))
            f.fail("vram_gb", "is missing (required for a new row)");
        row.provider = provider;
        row.id = id;
        row.display_name = id;
        row.gpu = id;
        row.billing = provider == "aws" ? ec2_billing : per_second_billing;
        row.source = origin;
        row.offered = offered;
    }
    if (f.has("display_name"))
        row.display_name = f.required_text("display_name");
    if (f.has("gpu"))
        row.gpu = f.required_text("gpu");
    if (f.has("gpu_count"))
        row.gpu_count = f.integer("gpu_count", 1, max_gpu_count);
    if (f.has("vram_gb"))
        row.vram_gb = f.integer("vram_gb", 1, max_vram_gb);
    if (f.has("on_demand_usd_per_hour"))
        row.on_demand_usd_per_hour = f.money("on_demand_usd_per_hour");
    if (f.has("spot_usd_per_hour"))
        row.spot_usd_per_hour = f.optional_money("spot_usd_per_hour");
    if (f.has("billing"))
    {
        override_fields const b(f.object("billing"), where + " billing");
        b.only({"increment_seconds", "minimum_seconds"});
        if (b.has("increment_seconds"))
            row.billing.increment = std::chrono::seconds(b.integer("increment_seconds", 1));
        if (b.has("minimum_seconds"))
            row.billing.minimum = std::chrono::seconds(b.integer("minimum_seconds", 0));
    }
    if (f.has("serverless_pool"))
        row.serverless_pool = f.text("serverless_pool");
    if (f.has("source"))
        row.source = f.text("source");
    if (f.has("as_of"))
        row.as_of = f.text("as_of");
    if (f.has("note"))
        row.note = f.text("note");
    if (f.has("confidence"))
        row.confidence = parse_confidence(f);
    table.upsert(std::move(row));
}

inline void apply_serverless(pricing_table& table, boost::json::value const& v, std::string const& where,
                             std::string const& origin)
{
    auto const& o = entry_object(v, where);
    auto const pool = override_fields(o, where).required_text("pool");
    override_fields const f(o, where + " (pool " + pool + ")");
    f.only({"pool", "gpus", "vram_gb", "flex_usd_per_second", "active_usd_per_second", "source", "as_of"});

    serverless_rate rate;
    if (auto const* existing = table.find_serverless(pool))
    {
        rate = *existing;
    }
    else
    {
        if (!f.has("flex_usd_per_second"))
            f.fail("flex_usd_per_second", "is missing (required for a new pool)");
        rate.pool = pool;
        rate.source = origin;
    }
    if (f.has("gpus"))
        rate.gpus = f.text("gpus");
    if (f.has("vram_gb"))
        rate.vram_gb = f.integer("vram_gb", 1, max_vram_gb);
    if (f.has("flex_usd_per_second"))
        rate.flex_usd_per_second = f.money("flex_usd_per_second");
    if (f.has("active_usd_per_second"))
        rate.active_usd_per_second = f.optional_money("active_usd_per_second");
    if (f.has("source"))
        rate.source = f.text("source");
    if (f.has("as_of"))
        rate.as_of = f.text("as_of");
    table.upsert(std::move(rate));
}

} // namespace detail

MLCLOUD_DECL std::string_view to_string(confidence c) noexcept
{
    switch (c)
    {
    case confidence::high:   return "high";
    case confidence::medium: return "medium";
    case confidence::low:    return "low";
    }
    return "unknown";
}

MLCLOUD_DECL pricing_table pricing_table::builtin()
{
    return pricing_table(detail::builtin_rows(), detail::builtin_serverless());
}

MLCLOUD_DECL result<pricing_table> pricing_table::load(std::string const& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return error(errc::io_error, "cannot open pricing file '" + path + "'").with_operation("load pricing");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        return error(errc::io_error, "cannot read pricing file '" + path + "'").with_operation("load pricing");
    auto table = builtin();
    if (auto applied = table.apply_overrides(text, path); !applied)
        return applied.error();
    return table;
}

MLCLOUD_DECL gpu_offer const* pricing_table::find(std::string_view provider, std::string_view id) const noexcept
{
    gpu_offer const* reference = nullptr;
    for (auto const& row : rows_)
    {
        if (row.provider != provider || row.id != id)
            continue;
        if (row.offered)
            return &row;
        if (!reference)
            reference = &row;
    }
    return reference;
}

MLCLOUD_DECL std::vector<gpu_offer const*> pricing_table::offers(std::string_view provider) const
{
    std::vector<gpu_offer const*> out;
    for (auto const& row : rows_)
        if (row.offered && (provider.empty() || row.provider == provider))
            out.push_back(&row);
    return out;
}

MLCLOUD_DECL std::optional<price_range> pricing_table::range(std::string_view provider) const
{
    std::optional<price_range> r;
    for (auto const* row : offers(provider))
    {
        double const p = row->on_demand_usd_per_hour;
        if (!r)
            r = price_range{p, p};
        r->low = std::min(r->low, p);
        r->high = std::max(r->high, p);
    }
    return r;
}

MLCLOUD_DECL serverless_rate const* pricing_table::find_serverless(std::string_view pool) const noexcept
{
    for (auto const& rate : serverless_)
        if (rate.pool == pool)
            return &rate;
    return nullptr;
}

MLCLOUD_DECL void pricing_table::upsert(gpu_offer row)
{
    for (auto& existing : rows_)
    {
        if (existing.provider == row.provider && existing.id == row.id && existing.offered == row.offered)
        {
            existing = std::move(row);
            return;
        }
    }
    rows_.push_back(std::move(row));
}

MLCLOUD_DECL void pricing_table::upsert(serverless_rate rate)
{
    for (auto& existing : serverless_)
    {
        if (existing.pool == rate.pool)
        {
            existing = std::move(rate);
            return;
        }
    }
    serverless_.push_back(std::move(rate));
}

MLCLOUD_DECL std::size_t pricing_table::remove(std::string_view provider, std::string_view id)
{
    return std::erase_if(rows_, [&](gpu_offer const& r) { return r.provider == provider && r.id == id; });
}

MLCLOUD_DECL result<void> pricing_table::apply_overrides(std::string_view json_text, std::string_view origin_view)
{
    std::string const origin(origin_view);
    auto invalid = [&](std::string message) {
        return error(errc::invalid_argument, std::move(message)).with_operation("load pricing");
    };

    boost::system::error_code ec;
    auto const doc = boost::json::parse(json_text, ec);
    if (ec)
        return invalid(origin + ": not valid JSON (" + ec.message() + ")");
    if (!doc.is_object())
        return invalid(origin + ": the top level must be an object");
    auto const& top = doc.get_object();

    pricing_table next = *this; // all or nothing: the table changes only if every entry is valid
    try
    {
        detail::override_fields(top, origin).only({"comment", "providers", "rows", "serverless", "remove"});
        auto const usable_providers = detail::usable_providers(next, top, origin);
        if (top.contains("remove"))
        {
            auto const& list = detail::array_member(top, "remove", origin);
            for (std::size_t i = 0; i < list.size(); ++i)
            {
                auto const where = origin + ": remove[" + std::to_string(i) + "]";
                detail::override_fields const f(detail::entry_object(list[i], where), where);
                f.only({"provider", "id"});
                auto const provider = f.required_text("provider");
                auto const id = f.required_text("id");
                if (next.remove(provider, id) == 0)
                    throw detail::bad_override{where + ": no row " + provider + " \"" + id + "\" to remove"};
            }
        }
        if (top.contains("rows"))
        {
            auto const& list = detail::array_member(top, "rows", origin);
            for (std::size_t i = 0; i < list.size(); ++i)
                detail::apply_row(next, list[i], origin + ": rows[" + std::to_string(i) + "]", origin,
                                  usable_providers);
        }
        if (top.contains("serverless"))
        {
            auto const& list = detail::array_member(top, "serverless", origin);
            for (std::size_t i = 0; i < list.size(); ++i)
                detail::apply_serverless(next, list[i], origin + ": serverless[" + std::to_string(i) + "]", origin);
        }
    }
    catch (detail::bad_override const& e)
    {
        return invalid(e.message);
    }
    *this = std::move(next);
    return {};
}

} // namespace messages
} // namespace mlcloud

#endif
