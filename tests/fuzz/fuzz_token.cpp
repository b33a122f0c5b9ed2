// Fuzzes what an attacker controls in auth: the bearer token and (via a compromised or spoofed
// JWKS endpoint) the key set. Properties: no crash, no leak, no acceptance of a forged token, and
// base64url decoding has exactly one spelling per byte string.
#include <openssl/evp.h>

#include <cstdint>
#include <string>

#include "auth/jwt.hpp"

namespace {

// A JWKS with one EC and one RSA key, so ES256/RS256 paths are reached too.
std::string Jwks() {
  return R"({"keys":[
    {"kty":"EC","crv":"P-256","kid":"ec1","use":"sig","alg":"ES256",
     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
    {"kty":"RSA","kid":"rsa1","use":"sig","alg":"RS256","e":"AQAB",
     "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}]})";
}

const vf::auth::JwtVerifier& Verifier() {
  static vf::auth::JwtVerifier* verifier = [] {
    auto* v = new vf::auth::JwtVerifier({.hs256_secret = "fuzz-secret-at-least-32-bytes-long!!"});
    auto keys = vf::auth::KeySet::FromJwks(Jwks());
    if (!keys || keys->size() != 2) __builtin_trap();  // the fixture itself must load
    v->SetKeys(std::make_shared<const vf::auth::KeySet>(std::move(*keys)));
    return v;
  }();
  return *verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Nobody can sign for these keys or the secret, so nothing may ever verify.
  auto result = Verifier().Verify(input, 1'800'000'000);
  if (result.ok()) __builtin_trap();

  (void)vf::auth::KeySet::FromJwks(input);

  if (auto decoded = vf::auth::Base64UrlDecode(input)) {
    std::string canonical = vf::auth::Base64UrlEncode(*decoded);
    std::string_view unpadded = input;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.remove_suffix(1);
    if (canonical != unpadded) __builtin_trap();
  }
  return 0;
}
