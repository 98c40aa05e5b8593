//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "csv.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace mlcloud_trainer;
using rows_t = std::vector<std::vector<std::string>>;

namespace {

csv_table parse_ok(std::string_view text)
{
    csv_error error;
    auto t = parse_csv(text, error);
    INFO(error.what());
    REQUIRE(t.has_value());
    return std::move(*t);
}

csv_error parse_bad(std::string_view text, csv_limits const& limits = {})
{
    csv_error error;
    auto t = parse_csv(text, error, limits);
    REQUIRE_FALSE(t.has_value());
    return error;
}

} // namespace

TEST_CASE("csv: header and rows, LF, CRLF, lone CR, no final line break")
{
    for (std::string eol : {"\n", "\r\n", "\r"})
    {
        CAPTURE(eol.size());
        auto const t = parse_ok("a,b,c" + eol + "1,2,3" + eol + "4,5,6");
        CHECK(t.header == std::vector<std::string>{"a", "b", "c"});
        CHECK(t.rows == rows_t{{"1", "2", "3"}, {"4", "5", "6"}});
        CHECK(t.row_lines == std::vector<std::size_t>{2, 3});
        CHECK(t.column("c") == 2u);
        CHECK_FALSE(t.column("d"));
    }
}

TEST_CASE("csv: quoted fields hold commas, quotes, and line breaks")
{
    auto const t = parse_ok("name,note\r\n"
                            "\"Smith, J\",\"said \"\"hi\"\"\"\r\n"
                            "\"multi\nline\r\nfield\",\"\"\r\n"
                            "plain,\"x\"\n");
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0] == std::vector<std::string>{"Smith, J", "said \"hi\""});
    CHECK(t.rows[1] == std::vector<std::string>{"multi\nline\r\nfield", ""});
    CHECK(t.rows[2] == std::vector<std::string>{"plain", "x"});
    CHECK(t.row_lines == std::vector<std::size_t>{2, 3, 6}); // physical lines, counting embedded breaks
}

TEST_CASE("csv: BOM, blank lines, empty fields, literal quotes inside unquoted fields")
{
    auto const t = parse_ok("\xEF\xBB\xBF" "a,b\n\n1,\n\r\n,2\n5\" tall,x\n\n");
    CHECK(t.header == std::vector<std::string>{"a", "b"}); // the BOM is not part of "a"
    CHECK(t.rows == rows_t{{"1", ""}, {"", "2"}, {"5\" tall", "x"}});
    CHECK(t.row_lines == std::vector<std::size_t>{3, 5, 6});

    auto const trailing = parse_ok("a,b\n1,");
    CHECK(trailing.rows == rows_t{{"1", ""}});
    auto const spaces = parse_ok("a , b\n 1 ,2 ");
    CHECK(spaces.header == std::vector<std::string>{"a ", " b"}); // the reader keeps spaces
    CHECK(spaces.rows == rows_t{{" 1 ", "2 "}});
}

TEST_CASE("csv: errors name the line")
{
    CHECK(parse_bad("").what() == "no header row (the file is empty)");
    CHECK(parse_bad("\n\r\n\n").what() == "no header row (the file is empty)");
    CHECK(parse_bad("\xEF\xBB\xBF").what() == "no header row (the file is empty)");
    CHECK(parse_bad("a,b\n1,2\n3\n").what() == "line 3: expected 2 fields, found 1");
    CHECK(parse_bad("a,b\n1,2,3\n").what() == "line 2: expected 2 fields, found 3");
    CHECK(parse_bad("a,b\n\"x\n\ny\",1\n1,2,3").what() == "line 5: expected 2 fields, found 3");
    CHECK(parse_bad("a,b\n1,\"open\n2,3\n").what() == "line 2: quoted field is never closed");
    CHECK(parse_bad("a,b\n\"ab\"c,1\n").what() == "line 2: unexpected character after a closing quote");
    CHECK(parse_bad("\"a\" ,b\n").what() == "line 1: unexpected character after a closing quote");
    CHECK(parse_bad("a,b,c\n1,2,3\n", {.max_fields = 2}).what() == "line 1: more than 2 fields in one record");
    CHECK(parse_bad("a\n1\n2\n3\n", {.max_records = 2}).what() == "line 4: more than 2 records");
}

TEST_CASE("csv: text that is not UTF-8 is refused with the line (the model's JSON could not be read back)")
{
    auto const refused = R"(line 3: the text is not UTF-8 (save the file as "CSV UTF-8"))";
    CHECK(parse_bad("x,label\n1,tea\n2,caf\xE9\n").what() == refused); // Windows-1252
    CHECK(parse_bad("Gr\xF6\xDF" "e,label\n1,a\n").what().starts_with("line 1: the text is not UTF-8"));
    CHECK(parse_bad("x,y\n1,\xC0\xAF\n\n1,a\n").what().starts_with("line 2:")); // overlong '/'
    CHECK(parse_bad("x,y\n1,\xED\xA0\x80\n").what().starts_with("line 2:"));     // a surrogate
    CHECK(parse_bad("x,y\n1,\xE2\x82\n").what().starts_with("line 2:"));          // cut short
    auto const ok = parse_ok("x,label\n1,caf\xC3\xA9\n2,\xF0\x9F\x98\x80\n"); // é and an emoji
    CHECK(ok.rows.at(0).at(1) == "caf\xC3\xA9");
}

TEST_CASE("csv: header only is a table without rows")
{
    auto const t = parse_ok("a,b\r\n");
    CHECK(t.header.size() == 2);
    CHECK(t.rows.empty());
}

TEST_CASE("csv: the pull reader returns records one at a time")
{
    csv_reader reader("x\n1\n\n\"2\n2\"\n");
    std::vector<std::string> fields;
    REQUIRE(reader.next(fields));
    CHECK(fields == std::vector<std::string>{"x"});
    REQUIRE(reader.next(fields));
    CHECK((fields == std::vector<std::string>{"1"} && reader.record_line() == 2));
    REQUIRE(reader.next(fields));
    CHECK((fields == std::vector<std::string>{"2\n2"} && reader.record_line() == 4));
    CHECK_FALSE(reader.next(fields));
    CHECK_FALSE(reader.failed());
    CHECK(fields.empty());
}

TEST_CASE("csv: fields are written back so that they parse to the same text")
{
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field(" padded") == "\" padded\"");
    CHECK(csv_field("") == "");
    CHECK(csv_record({"a", "b,c", ""}) == "a,\"b,c\",\n");
}

TEST_CASE("csv: random input never breaks the reader, and what parses round-trips")
{
    // A cheap, deterministic stand-in for the fuzzer: short strings over the characters that
    // matter. Under AddressSanitizer any out-of-bounds read fails the test.
    std::mt19937 rng(20261128);
    std::string const alphabet[] = {",", "\"", "\r", "\n", "a", "1", " ", "\xEF\xBB\xBF", "\"\""};
    int parsed = 0;
    for (int round = 0; round < 20000; ++round)
    {
        std::string text;
        auto const length = rng() % 24;
        for (unsigned i = 0; i < length; ++i)
            text += alphabet[rng() % std::size(alphabet)];
        CAPTURE(text);

        csv_error error;
        auto const t = parse_csv(text, error);
        if (!t)
        {
            CHECK(!error.message.empty());
            continue;
        }
        ++parsed;
        for (auto const& row : t->rows)
            REQUIRE(row.size() == t->header.size());

        // Rewriting the table and reading it again gives the same table, when no field is empty
        // in a one-column table (an empty one-field record is a blank line, which is skipped).
        bool const has_blank_record = t->header.size() == 1 &&
            (t->header[0].empty() || std::any_of(t->rows.begin(), t->rows.end(), [](auto const& r) { return r[0].empty(); }));
        bool const starts_with_bom = !t->header.empty() && t->header[0].starts_with("\xEF\xBB\xBF");
        if (has_blank_record || starts_with_bom) // a leading BOM would be dropped again
            continue;
        std::string written = csv_record(t->header);
        for (auto const& row : t->rows)
            written += csv_record(row);
        csv_error again_error;
        auto const again = parse_csv(written, again_error);
        REQUIRE(again.has_value());
        CHECK(again->header == t->header);
        CHECK(again->rows == t->rows);
    }
    CHECK(parsed > 1000); // the generator does reach valid CSV
}

// Found by tests/fuzz (trainer_csv): a first field starting with a UTF-8 BOM was written bare,
// and read back the BOM was taken for the file's own and dropped.
TEST_CASE("fuzz regression: a field starting with a byte order mark survives being written", "[trainer][csv][fuzz]")
{
    std::vector<std::string> const header{"\xEF\xBB\xBFid", "x"};
    std::vector<std::string> const row{"\xEF\xBB\xBF", "1"};
    auto const text = csv_record(header) + csv_record(row);
    csv_error error;
    auto table = parse_csv(text, error);
    REQUIRE(table);
    CHECK(table->header == header);
    REQUIRE(table->rows.size() == 1);
    CHECK(table->rows[0] == row);
}

// Found by tests/fuzz (trainer_csv): a record of one empty field was written as an empty line,
// which the reader skips as blank, so the record vanished.
TEST_CASE("fuzz regression: a record of one empty field survives being written", "[trainer][csv][fuzz]")
{
    CHECK(csv_record({""}) == "\"\"\n");
    auto const text = csv_record({""}) + csv_record({"7"}) + csv_record({""});
    csv_error error;
    auto table = parse_csv(text, error);
    REQUIRE(table);
    CHECK(table->header == std::vector<std::string>{""});
    REQUIRE(table->rows.size() == 2);
    CHECK(table->rows[1] == std::vector<std::string>{""});
}
