// docs/providers.md's capability table is generated from the providers' own declarations: this
// test rebuilds it and fails (printing the right table) when the document is out of date.
#include <mlcloud/aws.hpp>
#include <mlcloud/local.hpp>
#include <mlcloud/runpod.hpp>
#include <mlcloud/testing/memory.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <sstream>

namespace {

using mlcloud::capability;

template <class P>
std::string row(std::string_view kind)
{
    std::string out = "| " + std::string(kind) + " |";
    for (auto c = 0; c < static_cast<int>(capability::count_); ++c)
        out += P::capabilities.contains(static_cast<capability>(c)) ? " ✓ |" : "   |";
    return out + "\n";
}

template <class B>
std::string backend_rows()
{
    std::string name = "`" + std::string(B::name) + "` ";
    return row<typename B::training>(name + "training") + row<typename B::storage>(name + "storage") +
           row<typename B::prediction>(name + "prediction");
}

std::string table()
{
    std::string out = "| provider |";
    std::string rule = "|---|";
    for (auto c = 0; c < static_cast<int>(capability::count_); ++c)
    {
        out += " " + std::string(to_string(static_cast<capability>(c))) + " |";
        rule += ":-:|";
    }
    out += "\n" + rule + "\n";
    out += backend_rows<mlcloud::local::backend>();
    out += backend_rows<mlcloud::aws::backend>();
    out += backend_rows<mlcloud::runpod::backend>();
    out += backend_rows<mlcloud::testing::memory::backend>();
    return out;
}

} // namespace

TEST_CASE("docs/providers.md shows the capabilities the providers declare")
{
    std::ifstream in(std::string(MLCLOUD_SOURCE_DIR) + "/docs/providers.md");
    REQUIRE(in);
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string const begin = "<!-- capability-table:begin -->\n", end = "<!-- capability-table:end -->";
    auto b = doc.find(begin);
    auto e = doc.find(end);
    REQUIRE(b != std::string::npos);
    REQUIRE(e != std::string::npos);
    auto documented = doc.substr(b + begin.size(), e - b - begin.size());
    INFO("paste this table between the markers in docs/providers.md:\n" << table());
    CHECK(documented == table());
}
