//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The trainer's CSV reader (examples/trainer/csv.hpp) on arbitrary bytes: parse_csv and the
// pull reader agree, every row is as wide as the header, and a parsed table written back
// with csv_record reads back the same.

#include "fuzz.hpp"

#include "csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace mlcloud_trainer;
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    csv_limits const limits{.max_fields = 64, .max_records = 4096};

    csv_error error;
    auto table = parse_csv(text, error, limits);

    csv_reader reader(text, limits);
    std::vector<std::string> fields;
    std::size_t records = 0;
    while (reader.next(fields))
        ++records;

    if (!table)
    {
        mlcloud_fuzz::check(!error.message.empty(), "a refusal says why");
        (void)error.what();
        return 0;
    }
    mlcloud_fuzz::check(!reader.failed(), "the pull reader accepts what parse_csv accepts");
    mlcloud_fuzz::check(records == table->rows.size() + 1, "the pull reader sees the same records");
    mlcloud_fuzz::check(table->row_lines.size() == table->rows.size(), "every row has its line");
    for (auto const& row : table->rows)
        mlcloud_fuzz::check(row.size() == table->header.size(), "every row is as wide as the header");
    if (!table->header.empty())
        mlcloud_fuzz::check(table->column(table->header.front()) == 0, "the first column is found by its name");

    std::string written = csv_record(table->header);
    for (auto const& row : table->rows)
        written += csv_record(row);
    csv_error again_error;
    auto again = parse_csv(written, again_error, limits);
    mlcloud_fuzz::check(again && again->header == table->header && again->rows == table->rows,
                        "a table written with csv_record reads back the same");
    return 0;
}
