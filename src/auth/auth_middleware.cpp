#include "auth/auth_middleware.hpp"

#include <chrono>

#include "core/problem.hpp"

namespace vf::auth {

AuthMiddleware::AuthMiddleware(const JwtVerifier& verifier, JwksSource* jwks)
    : verifier_(verifier), jwks_(jwks) {}

std::optional<http::Response> AuthMiddleware::OnRequest(http::RequestContext& ctx) {
  if (ctx.route == nullptr || ctx.route->route_class == http::RouteClass::kPublic) {
    return std::nullopt;
  }
  std::string_view header = ctx.request.HeaderValue("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size() ||
      !http::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
    throw ApiError::Unauthorized("send Authorization: Bearer <access token>");
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto result = verifier_.Verify(token, now);
  if (!result.ok()) {
    if (jwks_ != nullptr && result.error == JwtError::kUnknownKey && !result.kid.empty()) {
      jwks_->OnUnknownKid(result.kid);  // keys may have rotated: refresh soon
    }
    throw ApiError::Unauthorized("invalid access token: " +
                                 std::string(JwtErrorText(*result.error)));
  }
  ctx.principal = std::move(result.principal);
  if (ctx.route->admin_only && !ctx.principal->is_admin()) {
    throw ApiError::Forbidden("this route needs an admin token");
  }
  return std::nullopt;
}

}  // namespace vf::auth
