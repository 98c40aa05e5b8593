// The one translation unit that compiles the heavy bodies for all tests.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <mlcloud/src.hpp>
