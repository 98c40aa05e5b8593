//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "data.hpp"

#include "files.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace mlcloud_trainer {
namespace {

std::string_view trim(std::string_view s) noexcept
{
    auto const first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    auto const last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

/// At most 40 bytes of a cell for an error message, so a huge field cannot flood stderr.
std::string shortened(std::string_view text)
{
    constexpr std::size_t limit = 40;
    return text.size() <= limit ? std::string(text) : std::string(text.substr(0, limit)) + "...";
}

/// "row 7 (line 8), column 'petal_width'".
std::string cell_name(csv_table const& table, std::size_t row, std::size_t col)
{
    return "row " + std::to_string(row + 1) + " (line " + std::to_string(table.row_lines[row]) + "), column '" +
           table.header[col] + "'";
}

// Any finite number in `text`, however large; parse_number bounds it.
std::optional<double> any_finite_number(std::string_view text)
{
    text = trim(text);
    if (!text.empty() && text.front() == '+')
    {
        text.remove_prefix(1); // from_chars rejects the explicit plus that spreadsheets write
        if (!text.empty() && (text.front() == '-' || text.front() == '+'))
            return std::nullopt; // "+-3" is not a number
    }
    double value = 0.0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

double number_at(csv_table const& table, std::size_t row, std::size_t col)
{
    auto const& text = table.rows[row][col];
    if (trim(text).empty())
        throw failure(cell_name(table, row, col) + ": missing value");
    auto const value = parse_number(text);
    if (!value)
    {
        bool const too_large = any_finite_number(text).has_value();
        throw failure(cell_name(table, row, col) + ": '" + shortened(text) +
                      (too_large ? "' is too large (beyond ±1e150)" : "' is not a number"));
    }
    return *value;
}

void require_unique_header(csv_table const& table, std::string_view what)
{
    std::set<std::string_view> seen;
    for (auto const& name : table.header)
    {
        if (trim(name).empty())
            throw failure(std::string(what) + " has a column without a name");
        if (!seen.insert(name).second)
            throw failure(std::string(what) + " has two columns named '" + name + "'");
    }
}

// Whether every value of the column is a number: one too large to train on still counts (it
// is refused with that reason, rather than turning a regression target into class labels).
bool all_numeric(csv_table const& table, std::size_t col)
{
    for (auto const& row : table.rows)
        if (!any_finite_number(row[col]))
            return false;
    return true;
}

} // namespace

csv_table load_table(std::filesystem::path const& path, std::string_view what)
{
    auto const text = read_file(path, what);
    csv_error error;
    auto table = parse_csv(text, error);
    if (!table)
        throw failure(std::string(what) + " '" + path.string() + "': " + error.what());
    if (table->rows.empty())
        throw failure(std::string(what) + " '" + path.string() + "' has a header but no data rows");
    return std::move(*table);
}

std::optional<double> parse_number(std::string_view text)
{
    auto const value = any_finite_number(text);
    // Squares of the values are summed for the mean and spread: beyond this they would overflow
    // to infinity and train a model of NaNs.
    if (!value || std::abs(*value) > max_magnitude)
        return std::nullopt;
    return value;
}

training_data prepare_training_data(csv_table const& table, std::string_view target, task_choice choice)
{
    require_unique_header(table, "the dataset");
    auto const target_col = table.column(target);
    if (!target_col)
        throw failure("the dataset has no column '" + std::string(target) + "' (columns: " + [&] {
            std::string names;
            for (auto const& n : table.header)
                names += (names.empty() ? "" : ", ") + n;
            return names;
        }() + ")");

    training_data data;
    data.target = target;
    for (std::size_t c = 0; c < table.header.size(); ++c)
        if (c != *target_col)
            data.feature_names.push_back(table.header[c]);
    if (data.feature_names.empty())
        throw failure("the dataset has no feature column besides the target '" + std::string(target) + "'");

    data.features = feature_matrix(table, data.feature_names);

    for (std::size_t r = 0; r < table.rows.size(); ++r)
        if (trim(table.rows[r][*target_col]).empty())
            throw failure(cell_name(table, r, *target_col) + ": missing target value");

    bool const numeric = all_numeric(table, *target_col);
    if (choice == task_choice::regression && !numeric)
        throw failure("--task regression needs a numeric target, but column '" + std::string(target) +
                      "' holds text");
    data.task = choice == task_choice::classification || (choice == task_choice::automatic && !numeric)
                    ? task::classification
                    : task::regression;

    data.labels.reserve(table.rows.size());
    if (data.task == task::regression)
    {
        for (std::size_t r = 0; r < table.rows.size(); ++r)
            data.labels.push_back(number_at(table, r, *target_col));
        return data;
    }
    std::map<std::string, std::size_t, std::less<>> class_index;
    for (std::size_t r = 0; r < table.rows.size(); ++r)
    {
        auto const label = trim(table.rows[r][*target_col]);
        auto it = class_index.find(label);
        if (it == class_index.end())
        {
            if (data.classes.size() == max_classes)
                throw failure("the target '" + std::string(target) + "' has more than " +
                              std::to_string(max_classes) + " distinct values; is it the right column?");
            it = class_index.emplace(std::string(label), data.classes.size()).first;
            data.classes.emplace_back(label);
        }
        data.labels.push_back(static_cast<double>(it->second));
    }
    if (data.classes.size() < 2)
        throw failure("the target '" + std::string(target) + "' has only one class ('" + data.classes.front() +
                      "'): there is nothing to learn");
    return data;
}

matrix feature_matrix(csv_table const& table, std::vector<std::string> const& names)
{
    std::vector<std::size_t> columns;
    for (auto const& name : names)
    {
        auto const col = table.column(name);
        if (!col)
            throw failure("the input has no column '" + name + "', which the model needs");
        columns.push_back(*col);
    }
    matrix m{table.rows.size(), names.size(), {}};
    m.values.reserve(m.rows * m.cols);
    for (std::size_t r = 0; r < table.rows.size(); ++r)
        for (auto col : columns)
            m.values.push_back(number_at(table, r, col));
    return m;
}

} // namespace mlcloud_trainer
