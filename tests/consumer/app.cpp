// A user's program: names the API, runs one blocking operation on the in-memory backend and
// parses a storage URI. Built header-only and against mlcloud::compiled.
#include <mlcloud/blocking.hpp>
#include <mlcloud/mlcloud.hpp>
#include <mlcloud/testing/memory.hpp>

#include <iostream>

int main()
{
    mlcloud::blocking<mlcloud::testing::memory::backend> cloud;
    auto job = cloud.launch({.name = "consumer", .command = {"hello"}});
    auto uri = mlcloud::storage_uri::parse("s3://my-bucket/data/iris.csv");
    if (!job || !uri || uri->bucket != "my-bucket")
    {
        std::cerr << "consumer: unexpected result\n";
        return 1;
    }
    std::cout << "consumer: launched " << job->id << " (mlcloud " << MLCLOUD_VERSION_STRING << ")\n";
    return 0;
}
