//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_TRAINER_DATA_HPP
#define MLCLOUD_TRAINER_DATA_HPP

#include "csv.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_trainer {

enum class task
{
    regression,     ///< numeric target: linear regression
    classification, ///< categorical target: multinomial (softmax) logistic regression
};

/// What the user asked for with --task; `automatic` picks regression when every target
/// value is a number.
enum class task_choice
{
    automatic,
    regression,
    classification,
};

/// A classification target with more distinct values than this is almost surely the wrong
/// column (an id, a free-text field); the trainer refuses it instead of building a huge model.
inline constexpr std::size_t max_classes = 1000;

/// A dense row-major matrix of doubles.
struct matrix
{
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<double> values;

    double const* row(std::size_t r) const noexcept { return values.data() + r * cols; }
    double* row(std::size_t r) noexcept { return values.data() + r * cols; }
};

/// Features and target ready for training.
struct training_data
{
    mlcloud_trainer::task task = task::regression;
    std::string target;
    std::vector<std::string> feature_names;
    matrix features;
    std::vector<double> labels;       ///< the target value, or the index of its class
    std::vector<std::string> classes; ///< classification only, in order of first appearance
};

/// A CSV file read with parse_csv; throws `failure` ("dataset 'x': line 3: ...") and refuses
/// a file without data rows.
csv_table load_table(std::filesystem::path const& path, std::string_view what);

/// The largest magnitude parse_number accepts: squares of the values must stay finite.
inline constexpr double max_magnitude = 1e150;

/// The number in `text` (surrounding spaces allowed); nullopt for anything else, including
/// "nan", "inf", "+-3" and numbers beyond ±max_magnitude.
std::optional<double> parse_number(std::string_view text);

/// Splits `table` into the target column and the (numeric) feature columns. Throws `failure`
/// for an unknown target, a duplicate column name, a missing or non-numeric feature value
/// (naming the row and the column), a one-class target, or no feature column at all.
training_data prepare_training_data(csv_table const& table, std::string_view target, task_choice choice);

/// The columns `names` of `table` as numbers, matched by name; throws `failure` for a missing
/// column or a non-numeric value.
matrix feature_matrix(csv_table const& table, std::vector<std::string> const& names);

} // namespace mlcloud_trainer

#endif
