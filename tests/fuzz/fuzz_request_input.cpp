// Fuzzes the request-side parsers: JSON bodies against a route schema, RFC 3339 times, request
// targets, query strings, routing and X-Forwarded-For. Properties: no crash, and every time that
// parses formats back to text that parses to the same instant.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/json_schema.hpp"
#include "core/time.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "ratelimit/client_address.hpp"

namespace {

const nlohmann::json& Schema() {
  static const nlohmann::json schema = nlohmann::json::parse(R"({
    "type": "object", "additionalProperties": false, "required": ["sets"],
    "properties": {
      "performed_at": {"type": "string", "format": "date-time"},
      "unit": {"type": "string", "enum": ["kg", "lb"]},
      "sets": {"type": "array", "minItems": 1, "maxItems": 200, "items": {
        "type": "object", "additionalProperties": false, "required": ["exercise"],
        "properties": {
          "exercise": {"type": "string", "minLength": 1, "maxLength": 100},
          "reps": {"type": "integer", "minimum": 0, "maximum": 1000},
          "weight_kg": {"type": ["number", "null"], "minimum": 0, "exclusiveMaximum": 1000}}}}}})");
  return schema;
}

const vf::http::Router& Routes() {
  static vf::http::Router* router = [] {
    auto* r = new vf::http::Router;
    for (const char* path : {"/api/profile", "/api/workouts", "/api/workouts/{id}/sets/{n}"}) {
      r->Add({.method = "GET", .path = path, .handler = [](vf::http::RequestContext&) {
                return vf::http::Response{};
              }});
    }
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);

  auto body = nlohmann::json::parse(input, nullptr, false);
  if (!body.is_discarded()) (void)vf::ValidateJson(body, Schema());

  if (auto t = vf::ParseRfc3339(input)) {
    auto again = vf::ParseRfc3339(vf::FormatRfc3339(*t));
    if (!again || *again != *t) __builtin_trap();
  }

  std::string path, query;
  if (vf::http::SplitTarget(input, path, query)) {
    vf::http::Request req;
    req.query = query;
    (void)req.QueryParam("since");
    (void)Routes().Find("GET", path);
  }

  // X-Forwarded-For from a trusted proxy: the client key is always a well-formed address key.
  static const vf::ratelimit::ClientAddressResolver resolver({"10.0.0.0/8", "fd00::/8"});
  vf::http::Request forwarded;
  forwarded.remote_address = "10.0.0.1";
  forwarded.headers.push_back({"X-Forwarded-For", input});
  std::string key = resolver.Key(forwarded);
  if (key.empty() || key.size() > 48) __builtin_trap();
  (void)vf::ratelimit::ParseIp(input);
  return 0;
}
