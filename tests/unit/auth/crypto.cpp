//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// SHA-256 and HMAC-SHA256 under SigV4 (auth/detail/crypto.hpp), against published vectors:
// FIPS 180-4's examples and RFC 4231's HMAC-SHA256 test cases, including a key longer than a
// block; and the per-thread keyed-state cache, with keys that alternate.

#include <mlcloud/auth/detail/crypto.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace crypto = mlcloud::auth::detail;

namespace {

std::string hmac_hex(std::vector<unsigned char> const& key, std::string_view data)
{
    return crypto::to_hex(crypto::hmac_sha256(key.data(), key.size(), data));
}

std::vector<unsigned char> bytes(std::size_t n, unsigned char value)
{
    return std::vector<unsigned char>(n, value);
}

std::vector<unsigned char> bytes(std::string_view s)
{
    return {s.begin(), s.end()};
}

} // namespace

TEST_CASE("sha256: FIPS 180-4 examples")
{
    CHECK(crypto::to_hex(crypto::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(crypto::to_hex(crypto::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(crypto::to_hex(crypto::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("hmac_sha256: RFC 4231 test cases 1, 2, 4 and 6 (a 131-byte key)")
{
    CHECK(hmac_hex(bytes(20, 0x0b), "Hi There") == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hmac_hex(bytes("Jefe"), "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    std::vector<unsigned char> key4;
    for (unsigned char b = 0x01; b <= 0x19; ++b)
        key4.push_back(b);
    CHECK(hmac_hex(key4, std::string(50, '\xcd')) == "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    CHECK(hmac_hex(bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("hmac_sha256: 32-byte keys kept per thread give each key its own MAC")
{
    auto const a = crypto::sha256("key a");
    auto const b = crypto::sha256("key b");
    auto const mac_a = crypto::hmac_sha256(a, "string to sign");
    auto const mac_b = crypto::hmac_sha256(b, "string to sign");
    CHECK(mac_a != mac_b);
    for (int i = 0; i < 3; ++i)
    {
        CHECK(crypto::hmac_sha256(a, "string to sign") == mac_a);
        CHECK(crypto::hmac_sha256(b, "string to sign") == mac_b);
        CHECK(crypto::hmac_sha256(b, "string to sign") == mac_b); // the same key twice in a row
    }
    // A key of another length between two uses of a kept one.
    std::vector<unsigned char> const jefe = bytes("Jefe");
    CHECK(hmac_hex(jefe, "what do ya want for nothing?") == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(crypto::hmac_sha256(a, "string to sign") == mac_a);
}
