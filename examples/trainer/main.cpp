//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// mlcloud-trainer: the example workload. It honours the workload contract (docs/trainer.md):
// progress on stdout, one line per reported epoch, flushed; the model written atomically; and
// only then the completion marker. Any failure is one "error: ..." line on stderr and a
// non-zero exit, with no model file left behind.

#include "data.hpp"
#include "files.hpp"
#include "model.hpp"

#include <mlcloud/types.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace mlcloud_trainer;

/// The workload's target column when --target is not given (set by the launcher).
constexpr char const* target_env = "MLCLOUD_TARGET";

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

constexpr char const* usage_text =
    "usage:\n"
    "  mlcloud-trainer train [--data PATH] [--target COLUMN] [--model PATH] [--epochs N]\n"
    "                        [--learning-rate X] [--validation-split F] [--seed N]\n"
    "                        [--task auto|regression|classification]\n"
    "  mlcloud-trainer predict --model PATH --input PATH --output PATH\n"
    "\n"
    "train: --data defaults to $MLCLOUD_DATASET, --model to $MLCLOUD_OUTPUT, --target to\n"
    "$MLCLOUD_TARGET (else the last column). A numeric target gives linear regression, a text\n"
    "target softmax logistic regression. Defaults: --epochs 200 --learning-rate 0.5\n"
    "--validation-split 0.2 --seed 42.\n"
    "predict: writes the input columns plus a 'prediction' column.\n";

struct usage_error : failure
{
    using failure::failure;
};

/// Prints one line and flushes: the workload's stdout is followed live.
void say(std::string_view line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

/// The error message as one printable line.
std::string one_line(std::string message)
{
    for (auto& c : message)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    return message;
}

/// "--name value" and "--name=value" options after the command word.
class options
{
public:
    options(int argc, char** argv, std::vector<std::string_view> const& known)
    {
        for (int i = 2; i < argc; ++i)
        {
            std::string_view arg = argv[i];
            if (!arg.starts_with("--"))
                throw usage_error("unexpected argument '" + std::string(arg) + "'");
            std::string name(arg.substr(2));
            std::optional<std::string> value;
            if (auto eq = name.find('='); eq != std::string::npos)
            {
                value = name.substr(eq + 1);
                name.resize(eq);
            }
            if (std::find(known.begin(), known.end(), name) == known.end())
                throw usage_error("unknown option '--" + name + "'");
            if (!value)
            {
                if (i + 1 >= argc)
                    throw usage_error("option '--" + name + "' needs a value");
                value = argv[++i];
            }
            values_[name] = *value;
        }
    }

    /// The option's value, else the environment variable's (when given and set and non-empty).
    std::optional<std::string> get(std::string const& name, char const* env = nullptr) const
    {
        if (auto it = values_.find(name); it != values_.end())
            return it->second;
        if (env)
            if (char const* v = std::getenv(env); v && *v)
                return std::string(v);
        return std::nullopt;
    }

    std::string require(std::string const& name, char const* env = nullptr) const
    {
        auto v = get(name, env);
        if (!v || v->empty())
            throw usage_error(env ? "no --" + name + " given and $" + env + " is not set"
                                  : "option '--" + name + "' is required");
        return *v;
    }

    template <class Number>
    Number number(std::string const& name, Number fallback, Number low, Number high) const
    {
        auto const v = get(name);
        if (!v)
            return fallback;
        Number n{};
        auto const [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || end != v->data() + v->size() || !(n >= low && n <= high))
            throw usage_error("--" + name + " must be a number from " + show(low) + " to " + show(high) +
                              ", not '" + *v + "'");
        return n;
    }

private:
    template <class Number>
    static std::string show(Number n)
    {
        char buffer[64];
        auto const res = std::to_chars(buffer, buffer + sizeof buffer, n);
        return std::string(buffer, res.ptr);
    }

    std::map<std::string, std::string> values_;
};

task_choice parse_task(std::optional<std::string> const& text)
{
    if (!text || *text == "auto")
        return task_choice::automatic;
    if (*text == "regression")
        return task_choice::regression;
    if (*text == "classification")
        return task_choice::classification;
    throw usage_error("--task must be auto, regression or classification, not '" + *text + "'");
}

std::string describe(training_data const& data)
{
    if (data.task == task::regression)
        return "regression (linear)";
    std::string names;
    for (std::size_t k = 0; k < data.classes.size() && k < 10; ++k)
        names += (k ? ", " : "") + data.classes[k];
    if (data.classes.size() > 10)
        names += ", ...";
    return "classification (softmax) with " + std::to_string(data.classes.size()) + " classes: " + names;
}

int train_command(int argc, char** argv)
{
    options const opts(argc, argv,
                       {"data", "target", "model", "epochs", "learning-rate", "validation-split", "seed", "task"});
    auto const data_path = opts.require("data", mlcloud::dataset_env);
    auto const model_path = model_file_path(opts.require("model", mlcloud::output_env));
    train_options to;
    to.epochs = opts.number("epochs", to.epochs, 1, 10'000'000);
    to.learning_rate = opts.number("learning-rate", to.learning_rate, 1e-12, 1e6);
    to.validation_split = opts.number("validation-split", to.validation_split, 0.0, 0.9);
    to.seed = opts.number<std::uint64_t>("seed", to.seed, 0, UINT64_MAX);
    auto const choice = parse_task(opts.get("task"));

    auto const table = load_table(data_path, "dataset");
    auto target = opts.get("target", target_env);
    if (!target)
    {
        target = table.header.back();
        say("target: no --target given, using the last column '" + *target + "'");
    }
    auto const data = prepare_training_data(table, *target, choice);
    say("dataset: " + data_path + ": " + std::to_string(data.features.rows) + " rows, " +
        std::to_string(data.features.cols) + " features, target '" + data.target + "'");
    say("task: " + describe(data));

    auto const m = train(data, to, say);

    write_file_atomically(model_path, to_json(m));
    say("model: " + model_path.string());
    say(mlcloud::completion_marker); // only now: the model is durably in place
    return EXIT_SUCCESS;
}

int predict_command(int argc, char** argv)
{
    options const opts(argc, argv, {"model", "input", "output"});
    auto const model_path = model_file_path(opts.require("model"));
    auto const input_path = opts.require("input");
    auto const output_path = opts.require("output");

    auto const m = model_from_json(read_file(model_path, "model file"));
    auto const table = load_table(input_path, "input");
    if (table.column("prediction"))
        throw failure("the input already has a column named 'prediction'");
    auto const x = feature_matrix(table, m.feature_names);

    auto header = table.header;
    header.push_back("prediction");
    std::string out = csv_record(header);
    for (std::size_t r = 0; r < table.rows.size(); ++r)
    {
        auto fields = table.rows[r];
        fields.push_back(m.predict(x.row(r)));
        out += csv_record(fields);
    }
    write_file_atomically(output_path, out);
    say("predictions: " + std::to_string(table.rows.size()) + " rows written to " + output_path);
    return EXIT_SUCCESS;
}

} // namespace

int main(int argc, char** argv)
{
    std::string_view const command = argc > 1 ? argv[1] : "";
    try
    {
        if (command == "train")
            return train_command(argc, argv);
        if (command == "predict")
            return predict_command(argc, argv);
        if (command == "--help" || command == "-h" || command == "help")
        {
            std::fputs(usage_text, stdout);
            return EXIT_SUCCESS;
        }
        throw usage_error(command.empty() ? "no command given (train or predict)"
                                          : "unknown command '" + std::string(command) + "'");
    }
    catch (usage_error const& e)
    {
        std::fprintf(stderr, "error: %s (see mlcloud-trainer --help)\n", one_line(e.what()).c_str());
        return exit_usage;
    }
    catch (std::exception const& e)
    {
        std::fprintf(stderr, "error: %s\n", one_line(e.what()).c_str());
        return exit_failure;
    }
}
