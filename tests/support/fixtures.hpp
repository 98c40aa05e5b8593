// Reading the loopback servers that CTest fixtures started (see tests/fakes/fixture.py).
#ifndef MLCLOUD_TEST_FIXTURES_HPP
#define MLCLOUD_TEST_FIXTURES_HPP

#include <fstream>
#include <stdexcept>
#include <string>

namespace mlcloud_test {

/// The directory where fixtures write <name>.port (set by tests/CMakeLists.txt).
inline std::string fixture_dir() { return MLCLOUD_FIXTURE_DIR; }

/// The port of a running fixture server; throws when the fixture is not running, which
/// means the test was started without its CTest fixture.
inline unsigned short fixture_port(std::string const& name)
{
    std::ifstream in(fixture_dir() + "/" + name + ".port");
    int port = 0;
    if (!(in >> port) || port <= 0 || port > 65535)
        throw std::runtime_error("fixture '" + name + "' is not running: run this test through ctest "
                                 "(it needs the fixture:" + name + ":start test)");
    return static_cast<unsigned short>(port);
}

/// "http://127.0.0.1:<port>" of a fixture.
inline std::string fixture_url(std::string const& name)
{
    return "http://127.0.0.1:" + std::to_string(fixture_port(name));
}

} // namespace mlcloud_test

#endif
