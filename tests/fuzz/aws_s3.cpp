//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// S3's XML answers: ListObjectsV2 (plain and encoding-type=url), CreateMultipartUpload and
// CompleteMultipartUpload (whose 200 may carry an <Error>). The first byte chooses the
// parser, the rest is the body.

#include "fuzz.hpp"

#include <mlcloud/aws/detail/s3.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace mlcloud::aws::detail;
    mlcloud_fuzz::input in(data, size);
    auto const which = in.byte() % 3;
    auto const body = in.rest();
    auto is_protocol_error = [](mlcloud::error const& e) { return e.is(mlcloud::errc::protocol_error); };
    switch (which)
    {
    case 0:
        for (bool url_encoded : {false, true})
            if (auto page = parse_list_objects_v2(body, url_encoded); !page)
                mlcloud_fuzz::check(is_protocol_error(page.error()), "a bad listing is a protocol_error");
        break;
    case 1:
        if (auto id = parse_initiate_multipart(body); !id)
            mlcloud_fuzz::check(is_protocol_error(id.error()), "a bad CreateMultipartUpload is a protocol_error");
        else
            mlcloud_fuzz::check(!id->empty(), "an upload id is never empty");
        break;
    default:
        if (auto done = parse_complete_multipart(body); done && done->failure)
            (void)make_error(*done->failure, 200, "aws", "CompleteMultipartUpload");
        break;
    }
    return 0;
}
