//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The trainer beyond its CSV reader, on hostile files: a dataset is prepared and trained on
// for a few epochs, the model goes through its JSON form and predicts every row; and the
// input is also read as a model file, which must be refused with `failure` or predict.
//
// Input: one byte choosing the task (automatic, regression, classification), then the text.

#include "fuzz.hpp"

#include "files.hpp"
#include "model.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace mlcloud_trainer;
    mlcloud_fuzz::input in(data, size);
    auto const choice = static_cast<task_choice>(in.byte() % 3);
    auto const text = in.rest();

    try
    {
        auto const m = model_from_json(text);
        std::vector<double> row(m.feature_names.size(), 1.0);
        (void)m.predict(row.data());
        mlcloud_fuzz::check(model_from_json(to_json(m)).feature_names == m.feature_names, "a model reads back");
    }
    catch (failure const&)
    {
    }

    csv_error error;
    auto table = parse_csv(text, error, {.max_fields = 16, .max_records = 256});
    if (!table || table->rows.empty() || table->header.empty())
        return 0;
    try
    {
        auto const prepared = prepare_training_data(*table, table->header.back(), choice);
        auto const m = train(prepared, {.epochs = 3}, [](std::string const&) {});
        auto const restored = model_from_json(to_json(m));
        auto const x = feature_matrix(*table, restored.feature_names);
        for (std::size_t r = 0; r < x.rows; ++r)
            (void)restored.predict(x.row(r));
    }
    catch (failure const&)
    {
    }
    return 0;
}
