//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_TRAINER_MODEL_HPP
#define MLCLOUD_TRAINER_MODEL_HPP

#include "data.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_trainer {

/// A linear model over standardised features: for output k,
///     score_k = intercepts[k] + sum_j weights[k][j] * (x_j - mean_j) / scale_j
/// Regression has one output, already in target units; classification has one output per
/// class and predicts the class with the highest score (softmax).
struct model
{
    mlcloud_trainer::task task = task::regression;
    std::string target;
    std::vector<std::string> feature_names;
    std::vector<double> mean;  ///< per feature
    std::vector<double> scale; ///< per feature, > 0
    std::vector<std::string> classes;
    matrix weights; ///< outputs x features
    std::vector<double> intercepts;
    std::map<std::string, double> metrics; ///< informational: "val_accuracy", "train_r2", ...
    std::map<std::string, double> training; ///< informational: epochs, learning_rate, rows, ...

    /// The prediction for one row of raw (unscaled) features, as the text written to CSV:
    /// the class name, or the number in its shortest exact spelling.
    std::string predict(double const* features) const;
};

struct train_options
{
    int epochs = 200;
    double learning_rate = 0.5;
    double validation_split = 0.2;
    std::uint64_t seed = 42;
};

/// Called once per reported epoch with the line to print.
using progress_sink = std::function<void(std::string const& line)>;

/// Full-batch gradient descent on a deterministic train/validation split (the same seed
/// always gives the same split and the same model). Reports the split, the epochs and the
/// final metrics through `progress`, and records the metrics in the model.
model train(training_data const& data, train_options const& options, progress_sink const& progress);

/// The model as JSON text (the format is described in docs/trainer.md).
std::string to_json(model const& m);

/// Reads a model written by to_json; throws `failure` ("invalid model file: ...") naming the
/// first field that is missing or wrong.
model model_from_json(std::string_view text);

} // namespace mlcloud_trainer

#endif
