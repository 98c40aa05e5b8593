//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "model.hpp"

#include "files.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>
#include <set>

namespace mlcloud_trainer {
namespace {

constexpr std::string_view model_format = "mlcloud-trainer/1";

std::string fixed(double value, int digits = 4)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

// ---------------------------------------------------------------------------------------------
// Split and scaling

struct split
{
    std::vector<std::size_t> train;
    std::vector<std::size_t> validation;
};

/// Fisher-Yates with mt19937_64, whose output sequence the standard fixes; std::shuffle is not
/// used because its algorithm differs between standard libraries, and the split must be the
/// same everywhere for a given seed.
split make_split(std::size_t rows, double fraction, std::uint64_t seed)
{
    std::vector<std::size_t> order(rows);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::mt19937_64 rng(seed);
    for (std::size_t i = rows; i > 1; --i)
        std::swap(order[i - 1], order[rng() % i]); // the modulo bias is below 2^-40 here
    auto validation_rows = static_cast<std::size_t>(std::llround(static_cast<double>(rows) * fraction));
    validation_rows = std::min(validation_rows, rows - 1); // keep at least one training row
    split s;
    s.validation.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(validation_rows));
    s.train.assign(order.begin() + static_cast<std::ptrdiff_t>(validation_rows), order.end());
    std::sort(s.validation.begin(), s.validation.end());
    std::sort(s.train.begin(), s.train.end());
    return s;
}

struct moments
{
    double mean = 0.0;
    double scale = 1.0;
};

template <class Value>
moments moments_of(std::vector<std::size_t> const& rows, Value value)
{
    double sum = 0.0;
    for (auto r : rows)
        sum += value(r);
    double const mean = sum / static_cast<double>(rows.size());
    double squares = 0.0;
    for (auto r : rows)
        squares += (value(r) - mean) * (value(r) - mean);
    double const sd = std::sqrt(squares / static_cast<double>(rows.size()));
    // A constant column carries no information; scale 1 keeps it harmless (it standardises to 0).
    return {mean, sd > 1e-12 ? sd : 1.0};
}

matrix standardise(matrix const& x, std::vector<double> const& mean, std::vector<double> const& scale)
{
    matrix z = x;
    for (std::size_t r = 0; r < z.rows; ++r)
        for (std::size_t c = 0; c < z.cols; ++c)
            z.row(r)[c] = (z.row(r)[c] - mean[c]) / scale[c];
    return z;
}

double dot(double const* a, double const* b, std::size_t n) noexcept
{
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        s += a[i] * b[i];
    return s;
}

// ---------------------------------------------------------------------------------------------
// The two learners share one loop shape: a full pass computes the loss and the gradient, then
// one step is taken. Each learner keeps its parameters in standardised space.

struct evaluation
{
    double loss = 0.0;
    double quality = 0.0; ///< R² for regression, accuracy for classification
};

class linear_learner
{
public:
    linear_learner(matrix const& z, std::vector<double> const& y, std::vector<std::size_t> const& train)
        : z_(z), y_(y), target_(moments_of(train, [&](std::size_t r) { return y[r]; })), w_(z.cols, 0.0)
    {
    }

    static constexpr char const* quality_name = "r2";

    /// One step; returns the training loss (mean squared error in target units) before it.
    double step(std::vector<std::size_t> const& rows, double rate)
    {
        std::vector<double> grad(w_.size(), 0.0);
        double grad_b = 0.0;
        double loss = 0.0;
        for (auto r : rows)
        {
            double const err = b_ + dot(w_.data(), z_.row(r), w_.size()) - scaled(y_[r]);
            loss += err * err;
            grad_b += err;
            for (std::size_t j = 0; j < w_.size(); ++j)
                grad[j] += err * z_.row(r)[j];
        }
        double const n = static_cast<double>(rows.size());
        for (std::size_t j = 0; j < w_.size(); ++j)
            w_[j] -= rate * grad[j] / n;
        b_ -= rate * grad_b / n;
        return loss / n * target_.scale * target_.scale;
    }

    evaluation evaluate(std::vector<std::size_t> const& rows) const
    {
        double mean = 0.0;
        for (auto r : rows)
            mean += y_[r];
        mean /= static_cast<double>(rows.size());
        double sse = 0.0, sst = 0.0;
        for (auto r : rows)
        {
            double const err = predict(r) - y_[r];
            sse += err * err;
            sst += (y_[r] - mean) * (y_[r] - mean);
        }
        double const n = static_cast<double>(rows.size());
        return {sse / n, sst > 0.0 ? 1.0 - sse / sst : 0.0};
    }

    /// Folds the target scaling into the parameters, so the model predicts in target units.
    void store(model& m) const
    {
        m.weights = {1, w_.size(), {}};
        for (double w : w_)
            m.weights.values.push_back(w * target_.scale);
        m.intercepts = {b_ * target_.scale + target_.mean};
    }

private:
    double scaled(double y) const noexcept { return (y - target_.mean) / target_.scale; }
    double predict(std::size_t r) const noexcept
    {
        return (b_ + dot(w_.data(), z_.row(r), w_.size())) * target_.scale + target_.mean;
    }

    matrix const& z_;
    std::vector<double> const& y_;
    moments target_; // the target is standardised too, so one learning rate suits every scale
    std::vector<double> w_;
    double b_ = 0.0;
};

class softmax_learner
{
public:
    softmax_learner(matrix const& z, std::vector<double> const& y, std::size_t classes)
        : z_(z), y_(y), w_{classes, z.cols, std::vector<double>(classes * z.cols, 0.0)}, b_(classes, 0.0)
    {
    }

    static constexpr char const* quality_name = "accuracy";

    /// One step; returns the mean cross-entropy before it.
    double step(std::vector<std::size_t> const& rows, double rate)
    {
        std::vector<double> grad(w_.values.size(), 0.0);
        std::vector<double> grad_b(b_.size(), 0.0);
        std::vector<double> p(b_.size());
        double loss = 0.0;
        for (auto r : rows)
        {
            loss += probabilities(r, p);
            auto const label = static_cast<std::size_t>(y_[r]);
            for (std::size_t k = 0; k < b_.size(); ++k)
            {
                double const err = p[k] - (k == label ? 1.0 : 0.0);
                grad_b[k] += err;
                for (std::size_t j = 0; j < z_.cols; ++j)
                    grad[k * z_.cols + j] += err * z_.row(r)[j];
            }
        }
        double const n = static_cast<double>(rows.size());
        for (std::size_t i = 0; i < grad.size(); ++i)
            w_.values[i] -= rate * grad[i] / n;
        for (std::size_t k = 0; k < b_.size(); ++k)
            b_[k] -= rate * grad_b[k] / n;
        return loss / n;
    }

    evaluation evaluate(std::vector<std::size_t> const& rows) const
    {
        std::vector<double> p(b_.size());
        double loss = 0.0;
        std::size_t correct = 0;
        for (auto r : rows)
        {
            loss += probabilities(r, p);
            auto const best = static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
            correct += best == static_cast<std::size_t>(y_[r]) ? 1 : 0;
        }
        double const n = static_cast<double>(rows.size());
        return {loss / n, static_cast<double>(correct) / n};
    }

    void store(model& m) const
    {
        m.weights = w_;
        m.intercepts = b_;
    }

private:
    /// Fills `p` with the class probabilities of row `r`; returns that row's cross-entropy.
    double probabilities(std::size_t r, std::vector<double>& p) const
    {
        for (std::size_t k = 0; k < b_.size(); ++k)
            p[k] = b_[k] + dot(w_.row(k), z_.row(r), z_.cols);
        double const label_score = p[static_cast<std::size_t>(y_[r])];
        double const top = *std::max_element(p.begin(), p.end()); // log-sum-exp, overflow-free
        double sum = 0.0;
        for (auto& v : p)
            sum += (v = std::exp(v - top));
        double const log_sum = std::log(sum) + top;
        for (auto& v : p)
            v /= sum;
        return log_sum - label_score;
    }

    matrix const& z_;
    std::vector<double> const& y_;
    matrix w_;
    std::vector<double> b_;
};

template <class Learner>
void run_epochs(Learner& learner, split const& s, train_options const& options, progress_sink const& progress,
                model& m)
{
    bool const validating = !s.validation.empty();
    int const every = std::max(1, (options.epochs + 199) / 200); // at most ~200 progress lines
    std::string const quality = Learner::quality_name;
    double rate = options.learning_rate;
    double previous_loss = std::numeric_limits<double>::infinity();
    for (int epoch = 1; epoch <= options.epochs; ++epoch)
    {
        double const loss = learner.step(s.train, rate);
        if (!std::isfinite(loss))
            throw failure("training diverged at epoch " + std::to_string(epoch) +
                          " (the loss is not finite): try a smaller --learning-rate");
        // Both losses are convex and smooth: with a small enough step, full-batch gradient
        // descent never raises the loss. A rise means the step is too long, so halve it
        // rather than let the run blow up ("bold driver").
        if (loss > previous_loss * (1.0 + 1e-12))
        {
            rate /= 2.0;
            progress("epoch " + std::to_string(epoch) + ": the loss rose, learning rate lowered to " +
                     fixed(rate, 6));
        }
        previous_loss = loss;
        if (epoch % every != 0 && epoch != options.epochs)
            continue;
        auto line = "epoch " + std::to_string(epoch) + "/" + std::to_string(options.epochs) + " loss=" + fixed(loss);
        if (validating)
        {
            auto const v = learner.evaluate(s.validation);
            line += " val_loss=" + fixed(v.loss) + " val_" + quality + "=" + fixed(v.quality);
        }
        else
        {
            line += " " + quality + "=" + fixed(learner.evaluate(s.train).quality);
        }
        progress(line);
    }

    m.training["final_learning_rate"] = rate;
    auto const train_eval = learner.evaluate(s.train);
    m.metrics["train_loss"] = train_eval.loss;
    m.metrics["train_" + quality] = train_eval.quality;
    if (validating)
    {
        auto const v = learner.evaluate(s.validation);
        m.metrics["val_loss"] = v.loss;
        m.metrics["val_" + quality] = v.quality;
    }
    if (m.task == task::regression)
    {
        m.metrics["train_rmse"] = std::sqrt(train_eval.loss);
        if (validating)
            m.metrics["val_rmse"] = std::sqrt(m.metrics["val_loss"]);
    }
    learner.store(m);

    std::string final_line = "final:";
    for (auto const& [name, value] : m.metrics)
        final_line += " " + name + "=" + fixed(value);
    progress(final_line);
}

// ---------------------------------------------------------------------------------------------
// JSON

[[noreturn]] void invalid(std::string const& what)
{
    throw failure("invalid model file: " + what);
}

boost::json::value const& field(boost::json::object const& o, std::string_view key, std::string const& where)
{
    auto const* v = o.if_contains(key);
    if (!v)
        invalid(where + "missing field '" + std::string(key) + "'");
    return *v;
}

double number(boost::json::value const& v, std::string const& what)
{
    boost::system::error_code ec;
    double const d = v.to_number<double>(ec);
    if (ec || !std::isfinite(d))
        invalid(what + " must be a finite number");
    return d;
}

std::string text(boost::json::value const& v, std::string const& what)
{
    if (!v.is_string() || v.get_string().empty())
        invalid(what + " must be a non-empty string");
    return std::string(v.get_string());
}

boost::json::array const& array(boost::json::value const& v, std::string const& what)
{
    if (!v.is_array())
        invalid(what + " must be an array");
    return v.get_array();
}

std::vector<double> numbers(boost::json::value const& v, std::string const& what, std::size_t expected)
{
    auto const& a = array(v, what);
    if (a.size() != expected)
        invalid(what + " must hold " + std::to_string(expected) + " numbers, not " + std::to_string(a.size()));
    std::vector<double> out;
    for (std::size_t i = 0; i < a.size(); ++i)
        out.push_back(number(a[i], what + "[" + std::to_string(i) + "]"));
    return out;
}

std::map<std::string, double> number_map(boost::json::object const& o, std::string_view key)
{
    std::map<std::string, double> out;
    auto const* v = o.if_contains(key);
    if (!v)
        return out;
    if (!v->is_object())
        invalid("'" + std::string(key) + "' must be an object");
    for (auto const& [name, value] : v->get_object())
        out[std::string(name)] = number(value, "'" + std::string(key) + "." + std::string(name) + "'");
    return out;
}

boost::json::object to_object(std::map<std::string, double> const& values)
{
    boost::json::object o;
    for (auto const& [k, v] : values)
        o[k] = v;
    return o;
}

} // namespace

std::string model::predict(double const* features) const
{
    std::vector<double> z(feature_names.size());
    for (std::size_t j = 0; j < z.size(); ++j)
        z[j] = (features[j] - mean[j]) / scale[j];
    std::size_t best = 0;
    double best_score = 0.0;
    for (std::size_t k = 0; k < intercepts.size(); ++k)
    {
        double const score = intercepts[k] + dot(weights.row(k), z.data(), z.size());
        if (k == 0 || score > best_score)
        {
            best = k;
            best_score = score;
        }
    }
    if (task == task::classification)
        return classes[best];
    char buffer[64];
    auto const res = std::to_chars(buffer, buffer + sizeof buffer, best_score);
    return std::string(buffer, res.ptr);
}

model train(training_data const& data, train_options const& options, progress_sink const& progress)
{
    auto const s = make_split(data.features.rows, options.validation_split, options.seed);

    model m;
    m.task = data.task;
    m.target = data.target;
    m.feature_names = data.feature_names;
    m.classes = data.classes;
    for (std::size_t c = 0; c < data.features.cols; ++c)
    {
        auto const mo = moments_of(s.train, [&](std::size_t r) { return data.features.row(r)[c]; });
        m.mean.push_back(mo.mean);
        m.scale.push_back(mo.scale);
    }
    m.training = {{"epochs", options.epochs},
                  {"learning_rate", options.learning_rate},
                  {"validation_split", options.validation_split},
                  {"seed", static_cast<double>(options.seed)},
                  {"rows", static_cast<double>(data.features.rows)},
                  {"train_rows", static_cast<double>(s.train.size())},
                  {"validation_rows", static_cast<double>(s.validation.size())}};

    progress("split: " + std::to_string(s.train.size()) + " training rows, " + std::to_string(s.validation.size()) +
             " validation rows (seed " + std::to_string(options.seed) + ")");

    auto const z = standardise(data.features, m.mean, m.scale);
    if (data.task == task::regression)
    {
        linear_learner learner(z, data.labels, s.train);
        run_epochs(learner, s, options, progress, m);
    }
    else
    {
        softmax_learner learner(z, data.labels, data.classes.size());
        run_epochs(learner, s, options, progress, m);
    }
    return m;
}

std::string to_json(model const& m)
{
    boost::json::array features;
    for (std::size_t j = 0; j < m.feature_names.size(); ++j)
        features.push_back({{"name", m.feature_names[j]}, {"mean", m.mean[j]}, {"scale", m.scale[j]}});
    boost::json::array weights;
    for (std::size_t k = 0; k < m.weights.rows; ++k)
        weights.emplace_back(boost::json::array(m.weights.row(k), m.weights.row(k) + m.weights.cols));

    boost::json::object o;
    o["format"] = model_format;
    o["task"] = m.task == task::regression ? "regression" : "classification";
    o["target"] = m.target;
    o["features"] = std::move(features);
    if (m.task == task::classification)
        o["classes"] = boost::json::array(m.classes.begin(), m.classes.end());
    o["weights"] = std::move(weights);
    o["intercepts"] = boost::json::array(m.intercepts.begin(), m.intercepts.end());
    o["metrics"] = to_object(m.metrics);
    o["training"] = to_object(m.training);
    return boost::json::serialize(o) + "\n";
}

model model_from_json(std::string_view json_text)
{
    boost::system::error_code ec;
    auto const root = boost::json::parse(json_text, ec);
    if (ec)
        invalid("not JSON (" + ec.message() + ")");
    if (!root.is_object())
        invalid("the top level must be an object");
    auto const& o = root.get_object();

    if (auto const f = text(field(o, "format", ""), "'format'"); f != model_format)
        invalid("'format' is '" + f + "', expected '" + std::string(model_format) + "'");

    model m;
    auto const task_name = text(field(o, "task", ""), "'task'");
    if (task_name == "regression")
        m.task = task::regression;
    else if (task_name == "classification")
        m.task = task::classification;
    else
        invalid("'task' must be \"regression\" or \"classification\", not '" + task_name + "'");
    m.target = text(field(o, "target", ""), "'target'");

    auto const& features = array(field(o, "features", ""), "'features'");
    if (features.empty())
        invalid("'features' is empty");
    std::set<std::string> names;
    for (std::size_t j = 0; j < features.size(); ++j)
    {
        auto const where = "'features[" + std::to_string(j) + "]";
        if (!features[j].is_object())
            invalid(where + "' must be an object");
        auto const& f = features[j].get_object();
        auto name = text(field(f, "name", where + "': "), where + ".name'");
        if (!names.insert(name).second)
            invalid("feature '" + name + "' appears twice");
        m.feature_names.push_back(std::move(name));
        m.mean.push_back(number(field(f, "mean", where + "': "), where + ".mean'"));
        double const scale = number(field(f, "scale", where + "': "), where + ".scale'");
        if (!(scale > 0.0))
            invalid(where + ".scale' must be positive");
        m.scale.push_back(scale);
    }

    std::size_t outputs = 1;
    if (m.task == task::classification)
    {
        auto const& classes = array(field(o, "classes", ""), "'classes'");
        if (classes.size() < 2)
            invalid("'classes' must name at least two classes");
        for (std::size_t k = 0; k < classes.size(); ++k)
            m.classes.push_back(text(classes[k], "'classes[" + std::to_string(k) + "]'"));
        outputs = m.classes.size();
    }

    auto const& weights = array(field(o, "weights", ""), "'weights'");
    if (weights.size() != outputs)
        invalid("'weights' must hold " + std::to_string(outputs) + " rows, not " + std::to_string(weights.size()));
    m.weights = {outputs, m.feature_names.size(), {}};
    for (std::size_t k = 0; k < outputs; ++k)
    {
        auto const row = numbers(weights[k], "'weights[" + std::to_string(k) + "]'", m.feature_names.size());
        m.weights.values.insert(m.weights.values.end(), row.begin(), row.end());
    }
    m.intercepts = numbers(field(o, "intercepts", ""), "'intercepts'", outputs);
    m.metrics = number_map(o, "metrics");
    m.training = number_map(o, "training");
    return m;
}

} // namespace mlcloud_trainer
