//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_TRAINER_CSV_HPP
#define MLCLOUD_TRAINER_CSV_HPP

// A small, strict RFC 4180 reader and the matching field writer.
//
// The reader works on text already in memory and never reads outside it: every access is an
// index checked against the text's size, so it can be fed arbitrary bytes (it is a fuzz
// target). What it accepts:
//  - fields separated by ',' and records ended by CRLF, LF or a lone CR;
//  - quoted fields ("a,b", "line\nbreak", "say ""hi""") anywhere in a record;
//  - a UTF-8 byte order mark before the header (dropped);
//  - a missing line break after the last record.
// What it does not accept (each is an error naming the line):
//  - text after a closing quote other than ',' or a line break ("ab"c);
//  - a quoted field that never ends;
//  - a record whose field count differs from the header's (a ragged row).
// Deliberate leniency: a '"' inside an unquoted field is kept literally (5" screen), and empty
// lines are skipped, as spreadsheet programs write both.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_trainer {

/// Upper bounds that keep hostile input from exhausting memory.
struct csv_limits
{
    std::size_t max_fields = 100'000;     ///< fields in one record
    std::size_t max_records = 50'000'000; ///< records after the header
};

/// Why a text is not acceptable CSV.
struct csv_error
{
    std::size_t line = 0; ///< 1-based physical line where the problem is (0: the whole text)
    std::string message;  ///< e.g. "expected 5 fields, found 4"

    /// "line 7: expected 5 fields, found 4".
    std::string what() const;
};

/// A parsed file: the header and the records, every record as wide as the header.
struct csv_table
{
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> row_lines; ///< 1-based physical line where each row starts

    /// Index of the column called `name`, if there is one.
    std::optional<std::size_t> column(std::string_view name) const;
};

/// Parses `text` (see the rules at the top of this file). On failure returns nullopt and fills
/// `error`. An empty text, or one with only blank lines, is an error ("no header").
std::optional<csv_table> parse_csv(std::string_view text, csv_error& error, csv_limits const& limits = {});

/// A pull parser for callers that want records one at a time.
class csv_reader
{
public:
    explicit csv_reader(std::string_view text, csv_limits const& limits = {});

    /// Reads the next non-empty record into `fields`. Returns false at the end of the text or
    /// on an error; `failed()` tells which.
    bool next(std::vector<std::string>& fields);

    bool failed() const noexcept { return error_.has_value(); }
    csv_error const& error() const { return *error_; }

    /// Physical line on which the record returned last started.
    std::size_t record_line() const noexcept { return record_line_; }

private:
    bool fail(std::size_t line, std::string message);
    bool read_quoted(std::string& field);
    void read_unquoted(std::string& field);
    bool at_record_end() const noexcept;
    void consume_line_break() noexcept;

    std::string_view text_;
    csv_limits limits_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t record_line_ = 0;
    std::optional<csv_error> error_;
};

/// `field` as a CSV field: quoted (with '"' doubled) only when it holds ',', '"', CR or LF,
/// or starts or ends with a space.
std::string csv_field(std::string_view field);

/// The fields joined by ',' with a trailing "\n".
std::string csv_record(std::vector<std::string> const& fields);

} // namespace mlcloud_trainer

#endif
