//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The AWS backend's pure parts: no network. The bootstrap script is rendered and run under
// bash with stand-ins (tests/fakes/aws_bootstrap) that record every command it issues.

#include <mlcloud/aws/detail/bootstrap.hpp>
#include <mlcloud/aws/detail/ec2.hpp>
#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/aws/detail/lambda.hpp>
#include <mlcloud/aws/detail/logs.hpp>
#include <mlcloud/aws/detail/protocol.hpp>
#include <mlcloud/aws/detail/s3.hpp>
#include <mlcloud/aws/options.hpp>

#include <catch2/catch.hpp>
#include <result_string.hpp>

#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>


namespace detail = mlcloud::aws::detail;
using mlcloud::errc;
using namespace std::chrono_literals;

namespace {

mlcloud::net::response make_response(int status, std::string body, mlcloud::net::fields headers = {})
{
    mlcloud::net::response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

std::chrono::system_clock::time_point utc(int y, int mo, int d, int h, int mi, int s)
{
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string param(mlcloud::net::query_params const& q, std::string const& name)
{
    for (auto const& [k, v] : q)
        if (k == name)
            return v;
    return "<absent>";
}

} // namespace

// ---------------------------------------------------------------------------------------
// Errors and retry classification

TEST_CASE("AWS error documents of every protocol are parsed", "[aws][protocol]")
{
    SECTION("S3 <Error>")
    {
        auto e = detail::parse_xml_error("<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key "
                                         "does not exist.</Message><Key>k</Key><RequestId>R1</RequestId></Error>");
        REQUIRE(e);
        CHECK(e->code == "NoSuchKey");
        CHECK(e->message == "The specified key does not exist.");
        CHECK(e->request_id == "R1");
    }
    SECTION("EC2 <Response><Errors> with RequestID")
    {
        auto e = detail::parse_xml_error("<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The "
                                         "instance ID 'i-1' does not exist</Message></Error></Errors><RequestID>ea96"
                                         "</RequestID></Response>");
        REQUIRE(e);
        CHECK(e->code == "InvalidInstanceID.NotFound");
        CHECK(e->request_id == "ea96");
    }
    SECTION("Query <ErrorResponse>")
    {
        auto e = detail::parse_xml_error("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                                         "<Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>bad</Message>"
                                         "</Error><RequestId>Q1</RequestId></ErrorResponse>");
        REQUIRE(e);
        CHECK(e->code == "InvalidClientTokenId");
        CHECK(e->request_id == "Q1");
    }
    SECTION("JSON with a namespaced __type, and the header's code first")
    {
        auto e = detail::parse_json_error(R"({"__type":"com.amazonaws.logs#ResourceNotFoundException","message":"nope"})");
        REQUIRE(e);
        CHECK(e->code == "ResourceNotFoundException");
        CHECK(e->message == "nope");
        auto h = detail::parse_json_error(R"({"Type":"User","message":"Rate Exceeded."})",
                                          "TooManyRequestsException:http://internal.amazon.com/");
        REQUIRE(h);
        CHECK(h->code == "TooManyRequestsException");
        CHECK(h->message == "Rate Exceeded.");
    }
    SECTION("not an error document")
    {
        CHECK_FALSE(detail::parse_xml_error("<ListBucketResult/>"));
        CHECK_FALSE(detail::parse_xml_error("<<<"));
        CHECK_FALSE(detail::parse_json_error("{\"events\":[]}"));
    }
    SECTION("a body-less HEAD answer gets a code from its status and the header's request id")
    {
        auto e = detail::parse_error(make_response(404, "", {{"x-amz-request-id", "H1"}}));
        CHECK(e.code == "NotFound");
        CHECK(e.request_id == "H1");
        auto html = detail::parse_error(make_response(502, "<html>\n<body>Bad gateway</body></html>"));
        CHECK(html.code == "BadGateway");
        CHECK(html.message.find('\n') == std::string::npos);
    }
}

TEST_CASE("AWS error codes map to the portable codes", "[aws][protocol]")
{
    struct row
    {
        char const* code;
        int status;
        errc expected;
    };
    for (auto r : {row{"NoSuchKey", 404, errc::not_found}, row{"NoSuchBucket", 404, errc::not_found},
                   row{"InvalidInstanceID.NotFound", 400, errc::not_found},
                   row{"InvalidInstanceID.Malformed", 400, errc::not_found},
                   row{"ResourceNotFoundException", 400, errc::not_found}, row{"AccessDenied", 403, errc::forbidden},
                   row{"UnauthorizedOperation", 403, errc::forbidden}, row{"AuthFailure", 401, errc::unauthorized},
                   row{"SignatureDoesNotMatch", 403, errc::unauthorized},
                   row{"ExpiredToken", 400, errc::unauthorized}, row{"SlowDown", 503, errc::throttled},
                   row{"ThrottlingException", 400, errc::throttled},
                   row{"RequestLimitExceeded", 503, errc::throttled},
                   row{"TooManyRequestsException", 429, errc::throttled},
                   row{"InsufficientInstanceCapacity", 500, errc::capacity},
                   row{"VcpuLimitExceeded", 400, errc::quota}, row{"InstanceLimitExceeded", 400, errc::quota},
                   row{"InvalidParameterValue", 400, errc::invalid_argument},
                   row{"InvalidAMIID.Malformed", 400, errc::invalid_argument},
                   row{"EntityTooSmall", 400, errc::invalid_argument},
                   row{"IdempotentParameterMismatch", 400, errc::conflict},
                   row{"BucketAlreadyOwnedByYou", 409, errc::already_exists},
                   row{"ResourceAlreadyExistsException", 400, errc::already_exists},
                   row{"RequestTooLargeException", 413, errc::payload_too_large},
                   row{"InternalError", 500, errc::provider_error}, row{"Unsupported", 400, errc::not_supported},
                   row{"SomethingNew", 409, errc::conflict}, row{"SomethingNew", 418, errc::provider_error}})
    {
        INFO(r.code << " " << r.status);
        CHECK(detail::errc_from_code(r.code, r.status) == r.expected);
    }
}

TEST_CASE("throttling and transient codes in bodies are retried, others are left to the status", "[aws][protocol]")
{
    using mlcloud::net::retry_class;
    auto logs_throttle =
        make_response(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
    CHECK(detail::classify_response(logs_throttle) == retry_class::throttling);
    auto ec2_throttle = make_response(503, "<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error>"
                                           "</Errors><RequestID>r</RequestID></Response>");
    CHECK(detail::classify_response(ec2_throttle) == retry_class::throttling);
    auto s3_timeout = make_response(400, "<Error><Code>RequestTimeout</Code><Message>m</Message></Error>");
    CHECK(detail::classify_response(s3_timeout) == retry_class::transient);
    auto invalid = make_response(400, "<Response><Errors><Error><Code>InvalidParameterValue</Code></Error></Errors>"
                                      "</Response>");
    CHECK_FALSE(detail::classify_response(invalid));
    CHECK_FALSE(detail::classify_response(make_response(200, "<Error><Code>SlowDown</Code></Error>")));
}

TEST_CASE("an AWS error keeps code, message, status and request id, and never a key", "[aws][protocol]")
{
    auto r = make_response(403, "<Error><Code>AccessDenied</Code><Message>User AKIAIOSFODNN7EXAMPLE is not allowed"
                                "</Message><RequestId>RID-7</RequestId></Error>");
    auto e = detail::make_error(r, "aws", "PutObject");
    CHECK(e.is(errc::forbidden));
    CHECK(e.http_status == 403);
    CHECK(e.request_id == "RID-7");
    CHECK(e.provider == "aws");
    CHECK(e.operation == "PutObject");
    CHECK(e.message.starts_with("AccessDenied: User "));
    CHECK(e.message.find("AKIAIOSFODNN7EXAMPLE") == std::string::npos);
    CHECK(e.what().find("request id RID-7") != std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Encodings

TEST_CASE("base64, AWS timestamps and the Query form encoding", "[aws][encoding]")
{
    std::string binary("\0\x01\xfe\xff script\n", 12);
    for (std::string s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"), binary})
        CHECK(detail::base64_decode(detail::base64_encode(s)).value() == s);
    CHECK(detail::base64_encode("hello") == "aGVsbG8=");
    CHECK(detail::base64_decode("aGVs\nbG8=").value() == "hello");
    CHECK_FALSE(detail::base64_decode("abc"));
    CHECK_FALSE(detail::base64_decode("a*b="));

    auto t = utc(2026, 11, 28, 18, 10, 38);
    CHECK(detail::parse_iso8601("2026-11-28T18:10:38.000Z") == t);
    CHECK(detail::parse_iso8601("2026-11-28T18:10:38Z") == t);
    CHECK(detail::parse_iso8601("2026-11-28T18:10:38+00:00") == t);
    CHECK(detail::parse_iso8601("2026-11-28T18:10:38.250Z") == t + 250ms);
    CHECK_FALSE(detail::parse_iso8601("yesterday"));
    CHECK(detail::parse_http_date("Sat, 28 Nov 2026 18:10:38 GMT") == t);
    CHECK(detail::parse_transition_time("User initiated (2026-11-28 18:10:38 GMT)") == t);
    CHECK(detail::parse_transition_time("User initiated (2026-11-28 18:10:38 UTC)") == t);
    CHECK_FALSE(detail::parse_transition_time(""));

    CHECK(detail::form_encode({{"Action", "RunInstances"}, {"TagSpecification.1.Tag.1.Value", "a b+c&d=e/é"}}) ==
          "Action=RunInstances&TagSpecification.1.Tag.1.Value=a%20b%2Bc%26d%3De%2F%C3%A9");
}

// ---------------------------------------------------------------------------------------
// S3

TEST_CASE("S3 URLs: path style for endpoints, virtual hosts for DNS-safe buckets", "[aws][s3]")
{
    CHECK(detail::object_url("http://127.0.0.1:5055", "bkt", "dir/a b+c%.csv", true).value() ==
          "http://127.0.0.1:5055/bkt/dir/a%20b%2Bc%25.csv");
    CHECK(detail::object_url("https://s3.us-east-1.amazonaws.com", "bkt", "k/ü", false).value() ==
          "https://bkt.s3.us-east-1.amazonaws.com/k/%C3%BC");
    CHECK(detail::object_url("http://127.0.0.1:5055/", "bkt", "", true, {{"list-type", "2"}, {"prefix", "a b"}}).value() ==
          "http://127.0.0.1:5055/bkt?list-type=2&prefix=a%20b");
    CHECK(detail::object_url("http://h:1", "b", "k", true, {{"uploads", ""}}).value() == "http://h:1/b/k?uploads=");
    CHECK_FALSE(detail::object_url("not a url", "b", "k", true));

    CHECK(detail::is_virtual_host_bucket("my-bucket-1"));
    CHECK_FALSE(detail::is_virtual_host_bucket("my.bucket"));
    CHECK_FALSE(detail::is_virtual_host_bucket("My-Bucket"));
    CHECK_FALSE(detail::is_virtual_host_bucket("ab"));
    CHECK_FALSE(detail::is_virtual_host_bucket("-ab"));
}

TEST_CASE("ListObjectsV2 answers are parsed and URL-encoded keys decoded", "[aws][s3]")
{
    auto page = detail::parse_list_objects_v2(
        R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>dir%2F</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
<NextContinuationToken>tok/+=</NextContinuationToken>
<Contents><Key>dir/a+b%2Bc.csv</Key><LastModified>2026-11-28T18:10:38.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>dir/%C3%BC%20x</Key><LastModified>2026-11-28T18:10:39.000Z</LastModified><ETag>"def-2"</ETag><Size>0</Size></Contents>
<CommonPrefixes><Prefix>dir/sub%2F</Prefix></CommonPrefixes></ListBucketResult>)",
        true);
    REQUIRE(page);
    CHECK(page->truncated);
    CHECK(page->next_token == "tok/+=");
    REQUIRE(page->objects.size() == 2);
    CHECK(page->objects[0].key == "dir/a b+c.csv");
    CHECK(page->objects[0].size == 12);
    CHECK(page->objects[0].etag == "abc");
    CHECK(page->objects[0].last_modified == utc(2026, 11, 28, 18, 10, 38));
    CHECK(page->objects[1].key == "dir/\xC3\xBC x");
    CHECK(page->objects[1].etag == "def-2");
    CHECK(page->common_prefixes == std::vector<std::string>{"dir/sub/"});

    auto plain = detail::parse_list_objects_v2("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a+b"
                                               "</Key><Size>1</Size></Contents></ListBucketResult>",
                                               false);
    REQUIRE(plain);
    CHECK(plain->objects.at(0).key == "a+b");
    CHECK_FALSE(detail::parse_list_objects_v2("<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents>"
                                              "</ListBucketResult>",
                                              false));
    CHECK_FALSE(detail::parse_list_objects_v2("<Other/>", false));
    CHECK_FALSE(detail::parse_list_objects_v2("not xml", false));
}

TEST_CASE("multipart: initiation, the completion body and its answers, part planning", "[aws][s3]")
{
    CHECK(detail::parse_initiate_multipart("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>"
                                           "U-1</UploadId></InitiateMultipartUploadResult>")
              .value() == "U-1");
    CHECK_FALSE(detail::parse_initiate_multipart("<InitiateMultipartUploadResult/>"));

    auto body = detail::complete_multipart_body({{1, "\"e1\""}, {2, "\"e2\""}});
    CHECK(body.find("<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part><Part><PartNumber>2"
                    "</PartNumber>") != std::string::npos);

    auto ok = detail::parse_complete_multipart("<CompleteMultipartUploadResult><Location>l</Location><Bucket>b"
                                               "</Bucket><Key>k</Key><ETag>&quot;abc-2&quot;</ETag>"
                                               "</CompleteMultipartUploadResult>");
    REQUIRE(ok);
    CHECK(ok->etag == "abc-2");
    CHECK_FALSE(ok->failure);
    auto moto = detail::parse_complete_multipart("<CompleteMultipartUploadResponse><ETag>\"x-3\"</ETag>"
                                                 "</CompleteMultipartUploadResponse>");
    REQUIRE(moto);
    CHECK(moto->etag == "x-3");
    // S3 may answer 200, send whitespace while assembling, and then an <Error>.
    auto late = detail::parse_complete_multipart("<?xml version=\"1.0\"?>\n\n  <Error><Code>InternalError</Code>"
                                                 "<Message>try again</Message><RequestId>R</RequestId></Error>");
    REQUIRE(late);
    REQUIRE(late->failure);
    CHECK(late->failure->code == "InternalError");
    CHECK(late->failure->request_id == "R");
    CHECK_FALSE(detail::parse_complete_multipart("<Nothing/>"));

    constexpr std::uint64_t mib = 1 << 20;
    auto small = detail::plan_parts(20 * mib, 8 * mib, 5 * mib, 5ull << 30, 10000).value();
    CHECK(small.part_size == 8 * mib);
    CHECK(small.count == 3);
    CHECK(small.length(2, 20 * mib) == 4 * mib);
    CHECK(detail::plan_parts(20 * mib, 1 * mib, 5 * mib, 5ull << 30, 10000).value().part_size == 5 * mib);
    auto big = detail::plan_parts(100000 * mib, 8 * mib, 5 * mib, 5ull << 30, 10000).value();
    CHECK(big.part_size == 10 * mib);
    CHECK(big.count == 10000);
    auto odd = detail::plan_parts(100000 * mib + 1, 8 * mib, 5 * mib, 5ull << 30, 10000).value();
    CHECK(odd.count <= 10000);
    CHECK(odd.part_size % mib == 0);
    auto too_big = detail::plan_parts(60000ull << 30, 8 * mib, 5 * mib, 5ull << 30, 10000);
    REQUIRE_FALSE(too_big);
    CHECK(too_big.error().is(errc::payload_too_large));

    auto cr = detail::parse_content_range("bytes 5-9/100").value();
    CHECK(*cr.first == 5);
    CHECK(*cr.last == 9);
    CHECK(*cr.total == 100);
    CHECK(*detail::parse_content_range("bytes */100")->total == 100);
    CHECK_FALSE(detail::parse_content_range("bytes 9-5/100"));
    CHECK_FALSE(detail::parse_content_range("items 1-2/3"));
    CHECK(detail::unquote_etag("\"abc\"") == "abc");
    CHECK(detail::unquote_etag("W/\"abc\"") == "abc");
}

// ---------------------------------------------------------------------------------------
// EC2

TEST_CASE("RunInstances parameters: market, profile, metadata, tags, user data", "[aws][ec2]")
{
    detail::run_instances_input in;
    in.image_id = "ami-1";
    in.instance_type = "g5.xlarge";
    in.client_token = "tok";
    in.user_data = "#!/bin/bash\necho hi\n";
    in.spot = true;
    in.spot_max_price = 0.5;
    in.subnet_id = "subnet-1";
    in.security_group_ids = {"sg-1", "sg-2"};
    in.instance_profile = "worker";
    in.tags = {{"mlcloud:job", "k"}, {"Name", "mlcloud x"}};
    auto q = detail::run_instances_params(in);
    CHECK(param(q, "ImageId") == "ami-1");
    CHECK(param(q, "MinCount") == "1");
    CHECK(param(q, "MaxCount") == "1");
    CHECK(param(q, "ClientToken") == "tok");
    CHECK(param(q, "InstanceInitiatedShutdownBehavior") == "terminate");
    CHECK(detail::base64_decode(param(q, "UserData")).value() == in.user_data);
    CHECK(param(q, "InstanceMarketOptions.MarketType") == "spot");
    CHECK(param(q, "InstanceMarketOptions.SpotOptions.SpotInstanceType") == "one-time");
    CHECK(param(q, "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior") == "terminate");
    CHECK(param(q, "InstanceMarketOptions.SpotOptions.MaxPrice") == "0.5000");
    CHECK(param(q, "MetadataOptions.HttpTokens") == "required");
    CHECK(param(q, "SubnetId") == "subnet-1");
    CHECK(param(q, "SecurityGroupId.2") == "sg-2");
    CHECK(param(q, "IamInstanceProfile.Name") == "worker");
    CHECK(param(q, "TagSpecification.1.ResourceType") == "instance");
    CHECK(param(q, "TagSpecification.2.ResourceType") == "volume");
    CHECK(param(q, "TagSpecification.1.Tag.1.Key") == "Name");
    CHECK(param(q, "TagSpecification.1.Tag.2.Value") == "k");

    in.spot = false;
    in.instance_profile = "arn:aws:iam::1:instance-profile/w";
    in.root_volume_gb = 100;
    auto od = detail::run_instances_params(in);
    CHECK(param(od, "InstanceMarketOptions.MarketType") == "<absent>");
    CHECK(param(od, "IamInstanceProfile.Arn") == "arn:aws:iam::1:instance-profile/w");
    CHECK(param(od, "BlockDeviceMapping.1.Ebs.VolumeSize") == "100");
}

TEST_CASE("EC2 answers: RunInstances, DescribeInstances and TerminateInstances", "[aws][ec2]")
{
    auto run = detail::parse_instances(R"(<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
<requestId>r</requestId><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-0abc</instanceId>
<imageId>ami-1</imageId><instanceState><code>0</code><name>pending</name></instanceState><instanceType>g5.xlarge</instanceType>
<launchTime>2026-11-28T18:10:38.000Z</launchTime><instanceLifecycle>spot</instanceLifecycle><clientToken>tok</clientToken>
<tagSet><item><key>mlcloud:job</key><value>k</value></item></tagSet><groupSet><item><groupId>sg</groupId></item></groupSet>
</item></instancesSet></RunInstancesResponse>)",
                                       "RunInstances");
    REQUIRE(run);
    REQUIRE(run->instances.size() == 1);
    auto const& i = run->instances[0];
    CHECK(i.id == "i-0abc");
    CHECK(i.type == "g5.xlarge");
    CHECK(i.state == "pending");
    CHECK(i.state_code == 0);
    CHECK(i.lifecycle == "spot");
    CHECK(i.client_token == "tok");
    CHECK(i.launch_time == utc(2026, 11, 28, 18, 10, 38));
    CHECK(i.tags.at("mlcloud:job") == "k");

    auto described = detail::parse_instances(R"(<DescribeInstancesResponse><reservationSet>
<item><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-1</instanceId><instanceState><code>272</code>
<name>terminated</name></instanceState><reason>User initiated (2026-11-28 18:20:00 GMT)</reason>
<stateReason><code>Server.SpotInstanceTermination</code><message>Server.SpotInstanceTermination: Spot instance termination</message></stateReason>
</item></instancesSet></item>
<item><instancesSet><item><instanceId>i-2</instanceId><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item>
</reservationSet><nextToken>NT</nextToken></DescribeInstancesResponse>)",
                                             "DescribeInstances");
    REQUIRE(described);
    REQUIRE(described->instances.size() == 2);
    CHECK(described->instances[0].state_code == 16); // 272 & 0xFF
    CHECK(described->instances[0].state_reason_code == "Server.SpotInstanceTermination");
    CHECK(described->instances[0].state_transition_reason == "User initiated (2026-11-28 18:20:00 GMT)");
    CHECK(described->instances[1].state == "running");
    CHECK(described->next_token == "NT");

    auto terminated = detail::parse_instances(R"(<TerminateInstancesResponse><instancesSet><item><instanceId>i-1</instanceId>
<currentState><code>32</code><name>shutting-down</name></currentState><previousState><code>16</code><name>running</name>
</previousState></item></instancesSet></TerminateInstancesResponse>)",
                                              "TerminateInstances");
    REQUIRE(terminated);
    CHECK(terminated->instances.at(0).state == "shutting-down");
    CHECK_FALSE(detail::parse_instances("garbage", "DescribeInstances"));
}

TEST_CASE("ClientTokens derive from the idempotency key and what is launched", "[aws][ec2]")
{
    auto a = detail::client_token("job-1", "g5.xlarge", true);
    CHECK(a == detail::client_token("job-1", "g5.xlarge", true));
    CHECK(a != detail::client_token("job-1", "g6.xlarge", true));
    CHECK(a != detail::client_token("job-1", "g5.xlarge", false));
    CHECK(a != detail::client_token("job-2", "g5.xlarge", true));
    CHECK(a.size() <= 64);
    for (char c : a)
        CHECK(static_cast<unsigned char>(c) < 128);
    CHECK(detail::is_instance_id("i-0123456789abcdef0"));
    CHECK(detail::is_instance_id("i-01234567"));
    CHECK_FALSE(detail::is_instance_id("i-0123456789ABCDEF0"));
    CHECK_FALSE(detail::is_instance_id("i-012"));
    CHECK_FALSE(detail::is_instance_id("no-such-job-1"));
    CHECK_FALSE(detail::is_instance_id("../etc"));
}

TEST_CASE("instance states map to job states", "[aws][ec2]")
{
    using mlcloud::job_state;
    auto const launched = utc(2026, 11, 28, 18, 0, 0);
    auto const now = utc(2026, 11, 28, 19, 0, 0);
    auto inst = [&](std::string state, std::string reason = {}, std::map<std::string, std::string> tags = {}) {
        detail::ec2_instance i;
        i.id = "i-0123456789abcdef0";
        i.state = std::move(state);
        i.state_reason_code = std::move(reason);
        i.launch_time = launched;
        i.tags = std::move(tags);
        i.tags["mlcloud:max-runtime"] = "3600";
        return i;
    };
    CHECK(detail::judge_instance(inst("pending"), now).status.state == job_state::provisioning);
    CHECK(detail::judge_instance(inst("running"), now).status.state == job_state::running);

    auto ok = detail::judge_instance(inst("terminated", "Client.InstanceInitiatedShutdown",
                                          {{"mlcloud:result", "succeeded"}, {"mlcloud:exit-code", "0"},
                                           {"mlcloud:finished-at", "1795891200"}}),
                                     now);
    CHECK(ok.status.state == job_state::succeeded);
    CHECK(ok.status.exit_code == 0);
    CHECK(ok.ended_at == std::chrono::system_clock::time_point(std::chrono::seconds(1795891200)));

    // The result tag is read even before the instance has finished powering off.
    auto failing = detail::judge_instance(inst("running", "", {{"mlcloud:result", "failed"}, {"mlcloud:exit-code", "3"}}), now);
    CHECK(failing.status.state == job_state::failed);
    CHECK(failing.status.exit_code == 3);
    CHECK(detail::judge_instance(inst("shutting-down", "", {{"mlcloud:result", "timed_out"}}), now).status.state ==
          job_state::timed_out);

    auto spot = detail::judge_instance(inst("terminated", "Server.SpotInstanceTermination"), now);
    CHECK(spot.status.state == job_state::preempted);
    CHECK(spot.status.detail.find("Server.SpotInstanceTermination") != std::string::npos);

    // The bootstrap's TERM trap tags `failed` while the instance is shut down from outside:
    // the shutdown decides (no exit code yet, or a signal's), a real exit status does not.
    for (auto const* code : {"-1", "137", "143"})
    {
        CHECK(detail::judge_instance(inst("terminated", "Server.SpotInstanceTermination",
                                          {{"mlcloud:result", "failed"}, {"mlcloud:exit-code", code}}),
                                     now)
                  .status.state == job_state::preempted);
        CHECK(detail::judge_instance(inst("terminated", "Client.UserInitiatedShutdown",
                                          {{"mlcloud:result", "failed"}, {"mlcloud:exit-code", code}}),
                                     now)
                  .status.state == job_state::cancelled);
    }
    CHECK(detail::judge_instance(inst("terminated", "Server.SpotInstanceTermination",
                                      {{"mlcloud:result", "failed"}, {"mlcloud:exit-code", "3"}}),
                                 now)
              .status.state == job_state::failed);
    CHECK(detail::judge_instance(inst("terminated", "Client.InstanceInitiatedShutdown",
                                      {{"mlcloud:result", "failed"}, {"mlcloud:exit-code", "143"}}),
                                 now)
              .status.state == job_state::failed);

    auto user = inst("shutting-down", "Client.UserInitiatedShutdown");
    user.state_transition_reason = "User initiated (2026-11-28 18:30:00 GMT)";
    auto cancelled = detail::judge_instance(user, now);
    CHECK(cancelled.status.state == job_state::cancelled);
    CHECK(cancelled.ended_at == utc(2026, 11, 28, 18, 30, 0));

    auto silent = detail::judge_instance(inst("terminated", "Client.InstanceInitiatedShutdown"), utc(2026, 11, 28, 18, 20, 0));
    CHECK(silent.status.state == job_state::failed);
    CHECK(silent.consult_log);
    auto overran = detail::judge_instance(inst("terminated", "Client.InstanceInitiatedShutdown"), now);
    CHECK(overran.status.state == job_state::timed_out);

    auto broken = detail::judge_instance(inst("terminated", "Server.InternalError"), now);
    CHECK(broken.status.state == job_state::failed);
    CHECK_FALSE(broken.consult_log);
    CHECK(detail::judge_instance(inst("rebooting"), now).status.state == job_state::unknown);
}

// ---------------------------------------------------------------------------------------
// CloudWatch Logs and Lambda

TEST_CASE("CloudWatch Logs bodies and answers", "[aws][logs]")
{
    auto body = boost::json::parse(detail::get_log_events_body("/g", "i-1", "f/123", 500)).as_object();
    CHECK(body.at("logGroupName") == "/g");
    CHECK(body.at("logStreamName") == "i-1");
    CHECK(body.at("startFromHead") == true);
    CHECK(body.at("nextToken") == "f/123");
    CHECK(body.at("limit") == 500);
    CHECK_FALSE(boost::json::parse(detail::get_log_events_body("/g", "s", "", 0)).as_object().contains("nextToken"));

    auto page = detail::parse_log_events(R"({"events":[{"timestamp":1,"message":"epoch 1","ingestionTime":2},
{"timestamp":2,"message":"✅ Model saved successfully!\n"}],"nextForwardToken":"f/2","nextBackwardToken":"b/1"})");
    REQUIRE(page);
    CHECK(page->messages.size() == 2);
    CHECK(page->next_forward_token == "f/2");
    CHECK_FALSE(detail::parse_log_events("[]"));
    CHECK_FALSE(detail::parse_log_events(R"({"events":[{"timestamp":1}]})"));

    std::vector<std::string> lines;
    detail::append_event_lines("one\r\n", lines);
    detail::append_event_lines("two\nthree", lines);
    detail::append_event_lines("", lines);
    CHECK(lines == std::vector<std::string>{"one", "two", "three", ""});

    auto put = boost::json::parse(detail::put_log_events_body("/g", "s", {{5, "a \"quoted\" line"}})).as_object();
    CHECK(put.at("logEvents").as_array().at(0).as_object().at("message") == "a \"quoted\" line");
    CHECK(detail::log_groups_contain(R"({"logGroups":[{"logGroupName":"/mlcloud/jobs-2"},{"logGroupName":"/mlcloud/jobs"}]})",
                                     "/mlcloud/jobs")
              .value());
    CHECK_FALSE(detail::log_groups_contain(R"({"logGroups":[{"logGroupName":"/mlcloud/jobs-2"}]})", "/mlcloud/jobs").value());
}

TEST_CASE("Lambda: the Invoke path, the payload, the answer and the log tail", "[aws][lambda]")
{
    CHECK(detail::invoke_target("arn:aws:lambda:us-east-1:1:function:my fn", "") ==
          "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Amy%20fn/invocations");
    CHECK(detail::invoke_target("predict", "live") == "/2015-03-31/functions/predict/invocations?Qualifier=live");

    mlcloud::prediction_request r{.model = mlcloud::storage_uri::s3("b", "m/model.json"), .input = "a,b\n1,2\n",
                                  .idempotency_key = "req-1"};
    auto payload = detail::prediction_payload(r);
    REQUIRE(payload);
    auto call = detail::parse_prediction_payload(*payload);
    REQUIRE(call);
    CHECK(call->model == "s3://b/m/model.json");
    CHECK(call->input == "a,b\n1,2\n");
    CHECK(call->request == "req-1");
    r.input_uri = mlcloud::storage_uri::s3("b", "rows.csv");
    CHECK(detail::parse_prediction_payload(detail::prediction_payload(r).value()).value().input_uri == "s3://b/rows.csv");
    r.model = mlcloud::storage_uri::local("/tmp/m.json");
    CHECK(detail::prediction_payload(r).error().is(errc::invalid_argument));
    CHECK(detail::parse_prediction_payload("{\"input\":\"x\"}").error().is(errc::invalid_argument));

    CHECK(detail::parse_prediction_answer(detail::prediction_answer("x,prediction\n1,2\n", 1)).value() ==
          "x,prediction\n1,2\n");
    CHECK(detail::parse_prediction_answer("{\"a\":1}").error().is(errc::protocol_error));

    auto fe = detail::parse_function_error(R"({"errorMessage":"no such model","errorType":"mlcloud.NotFound","stackTrace":[]})");
    CHECK(fe.type == "mlcloud.NotFound");
    CHECK(detail::errc_from_function_error(fe) == errc::not_found);
    CHECK(detail::errc_from_function_error({"mlcloud.InvalidInput", "x"}) == errc::invalid_argument);
    CHECK(detail::errc_from_function_error({"Function.ResponseSizeTooLarge", "x"}) == errc::payload_too_large);
    CHECK(detail::errc_from_function_error({"ValueError", "boom"}) == errc::job_failed);
    CHECK(detail::parse_function_error("error running docker").message == "error running docker");

    auto tail = detail::base64_encode("START RequestId: 1 Version: $LATEST\nhello\nEND RequestId: 1\nREPORT RequestId: 1\t"
                                      "Duration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory "
                                      "Used: 60 MB\tInit Duration: 100.00 ms\t\n");
    auto report = detail::parse_log_tail(tail);
    CHECK(report.billed == 13ms);
    CHECK(report.duration_ms == Approx(12.34));
    CHECK(report.memory_mb == 512);
    CHECK_FALSE(detail::parse_log_tail("").billed);
    CHECK_FALSE(detail::parse_log_tail("!!!").billed);
}

TEST_CASE("options from MLCLOUD_AWS_* variables", "[aws][options]")
{
    auto env = mlcloud::auth::environment::from_map({{"MLCLOUD_AWS_BUCKET", "b"},
                                                     {"MLCLOUD_AWS_AMI", "ami-1"},
                                                     {"MLCLOUD_AWS_SECURITY_GROUPS", "sg-1, sg-2,"},
                                                     {"MLCLOUD_AWS_INSTANCE_TYPES", "g6.xlarge,g5.xlarge"},
                                                     {"MLCLOUD_AWS_LAMBDA_FUNCTION", "predict"},
                                                     {"MLCLOUD_AWS_LAMBDA_MEMORY_MB", "2048"}});
    auto o = mlcloud::aws::options_from_environment(env);
    REQUIRE(o);
    CHECK(o->bucket == "b");
    CHECK(o->image_id == "ami-1");
    CHECK(o->security_group_ids == std::vector<std::string>{"sg-1", "sg-2"});
    CHECK(o->default_instance_types == std::vector<std::string>{"g6.xlarge", "g5.xlarge"});
    CHECK(o->lambda_function == "predict");
    CHECK(o->lambda_memory_mb == 2048);
    auto bad = mlcloud::aws::options_from_environment(
        mlcloud::auth::environment::from_map({{"MLCLOUD_AWS_LAMBDA_MEMORY_MB", "lots"}}));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().is(errc::invalid_argument));
}

// ---------------------------------------------------------------------------------------
// The bootstrap script

namespace {

detail::bootstrap_input sample_job()
{
    detail::bootstrap_input in;
    in.job_name = "it's a \"job\"; rm -rf / $(reboot) `id`\nsecond line";
    in.job_key = "key-1";
    in.region = "eu-west-1";
    in.log_group = "/mlcloud/jobs";
    in.image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/trainer:1";
    in.command = {"mlcloud-trainer", "train", "--target", "it's \"x\"", "$HOME", "a\nb", "", "*"};
    in.env = {{"MLCLOUD_TARGET", "species"}, {"HOSTILE", "$(touch /tmp/pwned) ' \" `x`"}};
    in.dataset = mlcloud::storage_uri::s3("data-bkt", "sets/iris.csv");
    in.output = mlcloud::storage_uri::s3("model-bkt", "models/run 1/model.json");
    in.max_runtime = 3600s;
    in.shutdown_grace = 600s;
    return in;
}

struct call
{
    std::string command;
    std::vector<std::string> args;

    bool has(std::string const& a) const { return std::find(args.begin(), args.end(), a) != args.end(); }
    std::string after(std::string const& flag, std::size_t nth = 0) const
    {
        for (std::size_t i = 0; i + 1 < args.size(); ++i)
            if (args[i] == flag && nth-- == 0)
                return args[i + 1];
        return "<absent>";
    }
};

std::vector<call> read_calls(std::filesystem::path const& log)
{
    std::ifstream in(log, std::ios::binary);
    std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<std::string> fields;
    std::size_t at = 0;
    while (at < data.size())
    {
        auto nul = data.find('\0', at);
        if (nul == std::string::npos)
            break;
        fields.push_back(data.substr(at, nul - at));
        at = nul + 1;
    }
    std::vector<call> calls;
    for (std::size_t i = 0; i + 1 < fields.size();)
    {
        auto n = static_cast<std::size_t>(std::stoul(fields[i]));
        call c{fields[i + 1], {}};
        for (std::size_t k = 0; k < n && i + 2 + k < fields.size(); ++k)
            c.args.push_back(fields[i + 2 + k]);
        calls.push_back(std::move(c));
        i += 2 + n;
    }
    return calls;
}

std::string quote_path(std::filesystem::path const& p)
{
    return detail::shell_quote(p.string());
}

/// Runs a rendered script under bash with the stand-ins first in PATH; returns the calls it
/// made, in order.
struct bootstrap_run
{
    std::filesystem::path dir;
    std::vector<call> calls;
    int exit_status = -1;

    explicit bootstrap_run(std::string const& script, std::map<std::string, std::string> const& env = {})
    {
        dir = std::filesystem::temp_directory_path() /
              ("mlcloud-bootstrap-" + std::to_string(::getpid()) + "-" +
               std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(dir / "work");
        std::ofstream(dir / "user-data.sh") << script;
        std::string const path = std::string(MLCLOUD_BOOTSTRAP_FAKES) + ":/usr/bin:/bin";

        // Never run the script unless the power commands resolve to the stand-ins.
        std::string probe = "env -i PATH=" + detail::shell_quote(path) + " " MLCLOUD_BASH +
                            " -c 'for c in shutdown poweroff reboot halt aws docker curl; do command -v \"$c\"; done' > " +
                            quote_path(dir / "resolved");
        REQUIRE(std::system(probe.c_str()) == 0);
        std::ifstream resolved(dir / "resolved");
        for (std::string line; std::getline(resolved, line);)
            REQUIRE(line.starts_with(MLCLOUD_BOOTSTRAP_FAKES));

        std::string cmd = "env -i PATH=" + detail::shell_quote(path) + " HOME=" + quote_path(dir) +
                          " FAKE_LOG=" + quote_path(dir / "calls") + " MLCLOUD_WORK_DIR=" + quote_path(dir / "work") +
                          " MLCLOUD_MARKER_WAIT=0";
        for (auto const& [k, v] : env)
            cmd += " " + k + "=" + detail::shell_quote(v);
        cmd += " " MLCLOUD_BASH " " + quote_path(dir / "user-data.sh") + " > " + quote_path(dir / "console") + " 2>&1";
        int rc = std::system(cmd.c_str());
        exit_status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
        calls = read_calls(dir / "calls");
    }
    ~bootstrap_run()
    {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    std::vector<call> of(std::string const& command) const
    {
        std::vector<call> out;
        for (auto const& c : calls)
            if (c.command == command)
                out.push_back(c);
        return out;
    }
    std::string tag(std::string const& key) const
    {
        for (auto const& c : calls)
            if (c.command == "aws" && c.has("create-tags"))
                for (auto const& a : c.args)
                    if (a.starts_with("Key=" + key + ",Value="))
                        return a.substr(("Key=" + key + ",Value=").size());
        return "<absent>";
    }
    std::vector<std::string> log_lines() const
    {
        std::vector<std::string> out;
        for (auto const& c : calls)
            if (c.command == "aws" && c.has("put-log-events"))
            {
                auto events = boost::json::parse(c.after("--log-events")).as_array();
                out.emplace_back(events.at(0).as_object().at("message").as_string());
            }
        return out;
    }
    /// The last call is the power-off, and the watchdog was scheduled first.
    void check_powered_off() const
    {
        REQUIRE_FALSE(calls.empty());
        CHECK(calls.front().command == "shutdown");
        CHECK(calls.front().args.at(1).starts_with("+"));
        CHECK(calls.back().command == "shutdown");
        CHECK(calls.back().args == std::vector<std::string>{"-h", "now"});
    }
    /// `aws s3 cp` calls that upload (their source is a local path).
    std::size_t uploads() const
    {
        std::size_t n = 0;
        for (auto const& c : calls)
            if (c.command == "aws" && c.args.size() >= 2 && c.args[0] == "s3" && c.args[1] == "cp")
                for (auto const& a : c.args)
                    if (a.starts_with((dir / "work/output").string()))
                    {
                        ++n;
                        break;
                    }
        return n;
    }
    std::string console() const
    {
        std::ifstream in(dir / "console");
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
};

} // namespace

TEST_CASE("the bootstrap script is valid bash and passes shellcheck", "[aws][bootstrap]")
{
    auto script = detail::render_bootstrap(sample_job());
    REQUIRE(script);
    CHECK(script->starts_with("#!/bin/bash\n"));
    CHECK(script->find("MARKER='" + std::string(mlcloud::completion_marker) + "'") != std::string::npos);
    CHECK(script->size() < detail::max_user_data);
    auto dir = std::filesystem::temp_directory_path() / ("mlcloud-shellcheck-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "user-data.sh") << *script;
    std::string syntax = std::string(MLCLOUD_BASH) + " -n " + quote_path(dir / "user-data.sh");
    CHECK(std::system(syntax.c_str()) == 0);
    std::string shellcheck = MLCLOUD_SHELLCHECK;
    if (shellcheck.empty())
        WARN("MLCLOUD_SKIP: shellcheck is not installed");
    else
    {
        std::string cmd = shellcheck + " --shell=bash --severity=style " + quote_path(dir / "user-data.sh") + " > " +
                          quote_path(dir / "report") + " 2>&1";
        int rc = std::system(cmd.c_str());
        std::ifstream report(dir / "report");
        std::string text{std::istreambuf_iterator<char>(report), std::istreambuf_iterator<char>()};
        INFO(text);
        CHECK(rc == 0);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("the bootstrap runs the job in order, with every value passed exactly", "[aws][bootstrap]")
{
    auto const job = sample_job();
    bootstrap_run run(detail::render_bootstrap(job).value());
    INFO(run.console());
    CHECK(run.exit_status == 0);
    run.check_powered_off();
    CHECK(run.calls.front().args == std::vector<std::string>{"-h", "+70"}); // (3600 + 600) / 60

    // Order: instance id, log stream, dataset, registry login, the workload, the model, the tag.
    std::vector<std::string> order;
    for (auto const& c : run.calls)
    {
        if (c.command == "aws" && !c.args.empty())
            order.push_back("aws " + c.args[0] + " " + c.args.at(1));
        else
            order.push_back(c.command + (c.args.empty() ? "" : " " + c.args[0]));
    }
    // `aws ecr get-login-password | docker login` is a pipeline: its two calls may be
    // recorded in either order.
    REQUIRE(order.size() == 12);
    if (order[5] == "docker login")
        std::swap(order[5], order[6]);
    std::vector<std::string> expected{"shutdown -h", "curl -sf", "curl -sf", "aws logs create-log-stream", "aws s3 cp",
                                      "aws ecr get-login-password", "docker login", "docker run",
                                      "aws logs filter-log-events", "aws s3 cp", "aws ec2 create-tags", "shutdown -h"};
    CHECK(order == expected);

    auto s3 = run.of("aws");
    CHECK(s3[1].args == std::vector<std::string>{"s3", "cp", "--only-show-errors", "s3://data-bkt/sets/iris.csv",
                                                 (run.dir / "work/input/iris.csv").string()});
    // The completion marker is looked up in the job's own stream.
    CHECK(s3[3].after("--log-stream-names") == "i-0123456789abcdef0");
    CHECK(s3[3].after("--log-group-name") == "/mlcloud/jobs");
    CHECK(s3[4].args == std::vector<std::string>{"s3", "cp", "--only-show-errors",
                                                 (run.dir / "work/output/model.json").string(),
                                                 "s3://model-bkt/models/run 1/model.json"});
    CHECK(run.of("docker")[0].args.back() == "123456789012.dkr.ecr.eu-west-1.amazonaws.com");

    auto docker = run.of("docker")[1];
    CHECK(docker.after("--log-driver") == "awslogs");
    CHECK(docker.after("--log-opt", 0) == "awslogs-region=eu-west-1");
    CHECK(docker.after("--log-opt", 1) == "awslogs-group=/mlcloud/jobs");
    CHECK(docker.after("--log-opt", 2) == "awslogs-stream=i-0123456789abcdef0");
    CHECK(docker.after("--gpus") == "all");
    CHECK(docker.has("HOSTILE=$(touch /tmp/pwned) ' \" `x`"));
    CHECK(docker.has("MLCLOUD_TARGET=species"));
    CHECK(docker.has("MLCLOUD_JOB_ID=i-0123456789abcdef0"));
    CHECK(docker.has("MLCLOUD_DATASET=/mlcloud/input/iris.csv"));
    CHECK(docker.has("MLCLOUD_OUTPUT=/mlcloud/output/model.json"));
    // The image, then the workload's argv exactly as given: no word splitting, no globbing,
    // no expansion.
    auto image = std::find(docker.args.begin(), docker.args.end(), job.image);
    REQUIRE(image != docker.args.end());
    CHECK(std::vector<std::string>(image + 1, docker.args.end()) == job.command);

    CHECK(run.tag("mlcloud:result") == "succeeded");
    CHECK(run.tag("mlcloud:exit-code") == "0");
    CHECK(run.tag("mlcloud:finished-at") != "<absent>");
    CHECK(run.log_lines().empty()); // the marker stays the last line of a successful job
    CHECK_FALSE(std::filesystem::exists("/tmp/pwned"));
    CHECK(run.console().find(job.job_name) != std::string::npos);
}

TEST_CASE("the bootstrap powers off when the workload fails, overruns or cannot start", "[aws][bootstrap]")
{
    auto job = sample_job();
    job.image = "ghcr.io/acme/trainer:2";

    SECTION("the workload exits with an error")
    {
        bootstrap_run run(detail::render_bootstrap(job).value(), {{"FAKE_DOCKER", "fail"}});
        run.check_powered_off();
        CHECK(run.tag("mlcloud:result") == "failed");
        CHECK(run.tag("mlcloud:exit-code") == "3");
        CHECK(run.log_lines() == std::vector<std::string>{"mlcloud: the workload exited with status 3"});
        CHECK(run.uploads() == 0);
        CHECK(run.of("aws").size() == 7); // stream, dataset, 3 marker look-ups, log line, tags
    }
    SECTION("the workload runs past max_runtime")
    {
        job.max_runtime = 1s;
        auto started = std::chrono::steady_clock::now();
        bootstrap_run run(detail::render_bootstrap(job).value(), {{"FAKE_DOCKER", "hang"}});
        CHECK(std::chrono::steady_clock::now() - started < 20s);
        run.check_powered_off();
        CHECK(run.tag("mlcloud:result") == "timed_out");
        CHECK(run.tag("mlcloud:exit-code") == "124");
        auto kill = run.of("docker");
        REQUIRE(kill.size() == 2);
        CHECK(kill[1].args == std::vector<std::string>{"kill", "mlcloud-job"});
        CHECK(run.log_lines().at(0).find("longer than its limit of 1 s") != std::string::npos);
    }
    SECTION("the dataset cannot be downloaded")
    {
        bootstrap_run run(detail::render_bootstrap(job).value(), {{"FAKE_AWS_FAIL", "download"}});
        run.check_powered_off();
        CHECK(run.of("docker").empty());
        CHECK(run.tag("mlcloud:result") == "failed");
        CHECK(run.log_lines() == std::vector<std::string>{"mlcloud: the dataset could not be downloaded"});
    }
    SECTION("the model cannot be uploaded")
    {
        bootstrap_run run(detail::render_bootstrap(job).value(), {{"FAKE_AWS_FAIL", "upload"}});
        run.check_powered_off();
        CHECK(run.tag("mlcloud:result") == "failed");
        CHECK(run.tag("mlcloud:exit-code") == "0");
        CHECK(run.log_lines() == std::vector<std::string>{"mlcloud: the model could not be uploaded"});
    }
    SECTION("the marker, then a non-zero exit: the model is stored and the job succeeded")
    {
        bootstrap_run run(detail::render_bootstrap(job).value(), {{"FAKE_DOCKER", "marker-then-fail"}});
        run.check_powered_off();
        CHECK(run.tag("mlcloud:result") == "succeeded");
        CHECK(run.tag("mlcloud:exit-code") == "3");
        CHECK(run.uploads() == 1);
        CHECK(run.log_lines().empty());
    }
    SECTION("exit 0 without the marker is a failure, and nothing is uploaded")
    {
        bootstrap_run run(detail::render_bootstrap(job).value(), {{"FAKE_DOCKER", "nomarker"}});
        run.check_powered_off();
        CHECK(run.tag("mlcloud:result") == "failed");
        CHECK(run.tag("mlcloud:exit-code") == "0");
        CHECK(run.uploads() == 0);
        CHECK(run.log_lines() ==
              std::vector<std::string>{"mlcloud: the workload exited with status 0 but never printed the completion marker"});
    }
    SECTION("the workload writes no model")
    {
        bootstrap_run run(detail::render_bootstrap(job).value(), {{"FAKE_DOCKER", "nomodel"}});
        run.check_powered_off();
        CHECK(run.tag("mlcloud:result") == "failed");
    }
    SECTION("the instance id cannot be read: power off all the same")
    {
        bootstrap_run run(detail::render_bootstrap(job).value(), {{"FAKE_CURL", "fail"}});
        run.check_powered_off();
        CHECK(run.of("docker").empty());
        CHECK(run.tag("mlcloud:result") == "<absent>");
    }
}

TEST_CASE("the bootstrap handles prefixes, no dataset, no GPUs", "[aws][bootstrap]")
{
    auto job = sample_job();
    job.image = "trainer:latest";
    job.dataset = mlcloud::storage_uri::s3("data-bkt", "sets/images/");
    job.output = mlcloud::storage_uri::s3("model-bkt", "models/run/");
    job.gpus = false;
    bootstrap_run run(detail::render_bootstrap(job).value());
    run.check_powered_off();
    auto aws = run.of("aws");
    CHECK(aws[1].args == std::vector<std::string>{"s3", "cp", "--only-show-errors", "--recursive",
                                                  "s3://data-bkt/sets/images/", (run.dir / "work/input/").string()});
    auto docker = run.of("docker").at(0);
    CHECK_FALSE(docker.has("--gpus"));
    CHECK(docker.has("MLCLOUD_DATASET=/mlcloud/input/"));
    CHECK(docker.has("MLCLOUD_OUTPUT=/mlcloud/output/"));
    CHECK(aws[3].args == std::vector<std::string>{"s3", "cp", "--only-show-errors", "--recursive",
                                                  (run.dir / "work/output/").string(), "s3://model-bkt/models/run/"});
    CHECK(run.tag("mlcloud:result") == "succeeded");

    job.dataset.reset();
    job.output.reset();
    bootstrap_run bare(detail::render_bootstrap(job).value());
    bare.check_powered_off();
    CHECK(bare.of("docker").at(0).has("MLCLOUD_DATASET="));
    CHECK(bare.tag("mlcloud:result") == "succeeded");
}

TEST_CASE("the bootstrap refuses what cannot go into it", "[aws][bootstrap]")
{
    auto job = sample_job();
    auto expect_invalid = [](detail::bootstrap_input const& in) {
        auto r = detail::render_bootstrap(in);
        REQUIRE_FALSE(r);
        CHECK(r.error().is(errc::invalid_argument));
    };
    auto bad_env = job;
    bad_env.env["A-B"] = "x";
    expect_invalid(bad_env);
    auto nul = job;
    nul.command.push_back(std::string("a\0b", 3));
    expect_invalid(nul);
    auto forever = job; // "no limit" would overflow the watchdog's minutes
    forever.max_runtime = std::chrono::seconds::max();
    expect_invalid(forever);
    auto local = job;
    local.output = mlcloud::storage_uri::local("/tmp/model");
    expect_invalid(local);
    auto option_image = job;
    option_image.image = "--privileged";
    expect_invalid(option_image);
    auto no_image = job;
    no_image.image.clear();
    expect_invalid(no_image);
    auto huge = job;
    huge.command.push_back(std::string(20000, 'x'));
    expect_invalid(huge);

    for (std::string s : {std::string("plain"), std::string("it's"), std::string("'\"$`\\\n!*?[]{}")})
    {
        auto dir = std::filesystem::temp_directory_path() / ("mlcloud-quote-" + std::to_string(::getpid()));
        std::string cmd = std::string(MLCLOUD_BASH) + " -c 'printf %s \"$0\"' " + detail::shell_quote(s) + " > " +
                          quote_path(dir);
        REQUIRE(std::system(cmd.c_str()) == 0);
        std::ifstream in(dir, std::ios::binary);
        CHECK(std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()} == s);
        std::filesystem::remove(dir);
    }
}

// Found by tests/fuzz (aws_ec2, aws_s3, aws_lambda): a year system_clock cannot count, or a
// REPORT figure no integer can hold, was undefined behaviour; now it is simply not a value.
TEST_CASE("fuzz regressions: AWS times and REPORT figures out of range are refused", "[aws][encoding][fuzz]")
{
    CHECK_FALSE(detail::parse_iso8601("4053-01-01T00:00:00Z"));
    CHECK_FALSE(detail::parse_iso8601("1066-10-14T09:00:00Z"));
    CHECK_FALSE(detail::parse_transition_time("User initiated (7381-11-28 18:10:38 GMT)"));
    CHECK_FALSE(detail::parse_http_date("Fri, 01 Jan 9999 00:00:00 GMT"));
    CHECK(detail::parse_iso8601("2200-01-01T00:00:00Z"));

    auto report = [](std::string const& line) { return detail::parse_log_tail(detail::base64_encode(line)); };
    auto const huge = report("REPORT RequestId: 8f5\tDuration: 1e300 ms\tBilled Duration: -1e300 ms\tMemory Size: 1e20 MB");
    CHECK_FALSE(huge.billed);
    CHECK_FALSE(huge.duration_ms);
    CHECK_FALSE(huge.memory_mb);
    auto const nan = report("REPORT RequestId: 8f5\tDuration: nan ms\tBilled Duration: inf ms\tMemory Size: 128 MB");
    CHECK_FALSE(nan.billed);
    CHECK_FALSE(nan.duration_ms);
    CHECK(nan.memory_mb == 128);
}

// Found by tests/fuzz (aws_ec2): a mlcloud:finished-at tag beyond what system_clock counts
// overflowed when turned into a time; now it is no end time.
TEST_CASE("fuzz regression: a finished-at tag out of range is ignored", "[aws][ec2][fuzz]")
{
    detail::ec2_instance i;
    i.id = "i-0123456789abcdef0";
    i.state = "running";
    i.tags = {{"mlcloud:result", "succeeded"}, {"mlcloud:finished-at", "17900000400"}};
    auto const v = detail::judge_instance(i, std::chrono::system_clock::time_point(std::chrono::seconds(1'790'000'000)));
    CHECK(v.status.state == mlcloud::job_state::succeeded);
    CHECK_FALSE(v.ended_at);
}
