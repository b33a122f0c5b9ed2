#pragma once
// Auth stage of the chain: public routes pass; every other route needs `Authorization: Bearer`
// with a token the verifier accepts (401 otherwise); admin-only routes need an admin (403).

#include <memory>

#include "auth/jwks_source.hpp"
#include "auth/jwt.hpp"
#include "http/pipeline.hpp"

namespace vf::auth {

class AuthMiddleware final : public http::Middleware {
 public:
  // `jwks` may be null (HS256 only, or a JWKS file that needs no refreshing).
  AuthMiddleware(const JwtVerifier& verifier, JwksSource* jwks);
  std::optional<http::Response> OnRequest(http::RequestContext& ctx) override;

 private:
  const JwtVerifier& verifier_;
  JwksSource* jwks_;
};

}  // namespace vf::auth
