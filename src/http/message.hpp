#pragma once
// Request and response as plain values: handlers and middleware see these, never Beast types.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vf::http {

struct Header {
  std::string name;
  std::string value;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct Request {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string path;    // decoded path without the query
  std::string query;   // raw query string without '?'
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;

  // First header with this name (case-insensitive); empty when absent.
  std::string_view HeaderValue(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // Percent-decoded value of the first query parameter with this name.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<Header> headers;

  void SetHeader(std::string name, std::string value);
  static Response Json(int status, std::string body);
};

// Splits a request target into decoded path and raw query. Returns false for a malformed target
// (not origin-form, bad percent-encoding, or an encoded NUL).
bool SplitTarget(std::string_view target, std::string& path, std::string& query);

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace vf::http
