//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "csv.hpp"

#include <mlcloud/detail/utf8.hpp>

#include <algorithm>
#include <utility>

namespace mlcloud_trainer {

std::string csv_error::what() const
{
    if (line == 0)
        return message;
    return "line " + std::to_string(line) + ": " + message;
}

std::optional<std::size_t> csv_table::column(std::string_view name) const
{
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name)
            return i;
    return std::nullopt;
}

csv_reader::csv_reader(std::string_view text, csv_limits const& limits) : text_(text), limits_(limits)
{
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (text_.starts_with(bom))
        pos_ = bom.size();
}

bool csv_reader::fail(std::size_t line, std::string message)
{
    error_ = csv_error{line, std::move(message)};
    return false;
}

bool csv_reader::at_record_end() const noexcept
{
    return pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r';
}

void csv_reader::consume_line_break() noexcept
{
    // CRLF, LF, or a lone CR (old Mac files): each is one line break.
    if (pos_ < text_.size() && text_[pos_] == '\r')
    {
        ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '\n')
            ++pos_;
    }
    else if (pos_ < text_.size() && text_[pos_] == '\n')
    {
        ++pos_;
    }
    ++line_;
}

void csv_reader::read_unquoted(std::string& field)
{
    auto const end = text_.find_first_of(",\r\n", pos_);
    auto const stop = end == std::string_view::npos ? text_.size() : end;
    field.assign(text_.substr(pos_, stop - pos_));
    pos_ = stop;
}

bool csv_reader::read_quoted(std::string& field)
{
    auto const opened_on = line_;
    ++pos_; // the opening quote
    for (;;)
    {
        if (pos_ >= text_.size())
            return fail(opened_on, "quoted field is never closed");
        char const c = text_[pos_];
        if (c == '"')
        {
            if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"')
            {
                field += '"';
                pos_ += 2;
                continue;
            }
            ++pos_; // the closing quote
            if (at_record_end() || text_[pos_] == ',')
                return true;
            return fail(line_, "unexpected character after a closing quote");
        }
        // Line breaks inside quotes belong to the field, verbatim; only the line count moves.
        if (c == '\n' || (c == '\r' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '\n')))
            ++line_;
        field += c;
        ++pos_;
    }
}

bool csv_reader::next(std::vector<std::string>& fields)
{
    fields.clear();
    if (error_)
        return false;
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r'))
        consume_line_break(); // blank lines
    if (pos_ >= text_.size())
        return false;

    record_line_ = line_;
    for (;;)
    {
        if (fields.size() >= limits_.max_fields)
            return fail(record_line_, "more than " + std::to_string(limits_.max_fields) + " fields in one record");
        std::string field;
        if (pos_ < text_.size() && text_[pos_] == '"')
        {
            if (!read_quoted(field))
                return false;
        }
        else
        {
            read_unquoted(field);
        }
        fields.push_back(std::move(field));
        if (pos_ < text_.size() && text_[pos_] == ',')
        {
            ++pos_;
            continue;
        }
        if (pos_ < text_.size())
            consume_line_break();
        return true;
    }
}

namespace {

bool all_utf8(std::vector<std::string> const& fields) noexcept
{
    return std::all_of(fields.begin(), fields.end(), [](std::string const& f) { return mlcloud::detail::valid_utf8(f); });
}

constexpr char const* not_utf8 = "the text is not UTF-8 (save the file as \"CSV UTF-8\")";

} // namespace

std::optional<csv_table> parse_csv(std::string_view text, csv_error& error, csv_limits const& limits)
{
    csv_reader reader(text, limits);
    csv_table table;
    if (!reader.next(table.header))
    {
        error = reader.failed() ? reader.error() : csv_error{0, "no header row (the file is empty)"};
        return std::nullopt;
    }
    // Names and class labels end up in the model's JSON, which must be UTF-8 to be read back.
    if (!all_utf8(table.header))
    {
        error = {reader.record_line(), not_utf8};
        return std::nullopt;
    }

    std::vector<std::string> fields;
    while (reader.next(fields))
    {
        if (fields.size() != table.header.size())
        {
            error = {reader.record_line(), "expected " + std::to_string(table.header.size()) +
                                               " fields, found " + std::to_string(fields.size())};
            return std::nullopt;
        }
        if (table.rows.size() >= limits.max_records)
        {
            error = {reader.record_line(), "more than " + std::to_string(limits.max_records) + " records"};
            return std::nullopt;
        }
        if (!all_utf8(fields))
        {
            error = {reader.record_line(), not_utf8};
            return std::nullopt;
        }
        table.rows.push_back(std::move(fields));
        table.row_lines.push_back(reader.record_line());
    }
    if (reader.failed())
    {
        error = reader.error();
        return std::nullopt;
    }
    return table;
}

std::string csv_field(std::string_view field)
{
    // A field that starts with a UTF-8 byte order mark is quoted too: written first in a file,
    // a bare one would be taken for the file's BOM and dropped when the file is read back.
    bool const needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                              (!field.empty() && (field.front() == ' ' || field.back() == ' ')) ||
                              field.starts_with("\xEF\xBB\xBF");
    if (!needs_quotes)
        return std::string(field);
    std::string out = "\"";
    for (char c : field)
    {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string csv_record(std::vector<std::string> const& fields)
{
    // One empty field written bare would be an empty line, which readers skip: quote it.
    if (fields.size() == 1 && fields.front().empty())
        return "\"\"\n";
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i)
    {
        if (i != 0)
            out += ',';
        out += csv_field(fields[i]);
    }
    out += '\n';
    return out;
}

} // namespace mlcloud_trainer
