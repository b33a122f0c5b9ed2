#pragma once
// Verification of Supabase access tokens (compact JWS) with OpenSSL 3.
//
// HS256 with the project's shared secret; ES256 (P-256) and RS256 with public keys from a JWKS,
// chosen by the token's `kid`. The algorithm set is pinned by what is configured: a token's `alg`
// never switches between HMAC and public-key verification (no `none`, no HS256 signed with an RSA
// public key). Claims checked: exp, nbf, iat (with leeway), aud (string or array containing the
// audience), sub present. The Principal comes from `sub`, `role` and `app_metadata.tier` only;
// `user_metadata` is user-writable and never consulted.
//
// Thread-safety: Verify is const and may run on many threads; SetKeys swaps the key set
// atomically while verifications continue.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/principal.hpp"

namespace vf::auth {

enum class JwtError {
  kMalformed,       // not three base64url segments, bad JSON, wrong claim types
  kUnsupportedAlg,  // alg not allowed (none, HS384, HS256 with no secret, ...)
  kUnknownKey,      // kid not in the key set, or the key does not fit the alg
  kBadSignature,
  kExpired,
  kNotYetValid,  // nbf or iat in the future beyond the leeway
  kWrongAudience,
  kMissingSubject,
};

std::string_view JwtErrorText(JwtError error);

// Parsed public keys by kid. Opaque: holds OpenSSL EVP_PKEY handles.
class KeySet {
 public:
  KeySet();
  ~KeySet();
  KeySet(KeySet&&) noexcept;
  KeySet& operator=(KeySet&&) noexcept;

  // Parses a JWKS document ({"keys": [...]}). Keys of other types, curves or uses ("enc") and
  // HMAC ("oct") keys are skipped; returns nullopt only when the document is not a JWKS at all.
  static std::optional<KeySet> FromJwks(std::string_view json, std::string* error = nullptr);

  std::size_t size() const;
  bool Contains(std::string_view kid) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct VerifierOptions {
  std::string hs256_secret;  // empty: HS256 tokens are refused
  std::string audience = "authenticated";
  int64_t leeway_s = 30;
};

struct VerifyResult {
  std::optional<Principal> principal;
  std::optional<JwtError> error;
  std::string kid;  // of the token, when it had one (for refresh-on-unknown-kid)
  bool ok() const { return principal.has_value(); }
};

class JwtVerifier {
 public:
  explicit JwtVerifier(VerifierOptions options);
  ~JwtVerifier();

  void SetKeys(std::shared_ptr<const KeySet> keys);
  std::shared_ptr<const KeySet> keys() const;

  // `now_s`: Unix seconds, passed in so tests can fix the clock.
  VerifyResult Verify(std::string_view token, int64_t now_s) const;

 private:
  VerifierOptions options_;
  // HMAC-SHA256 context keyed with the secret, built once and copied per verification: OpenSSL 3
  // otherwise fetches the algorithm and re-derives the key pads on every call. Opaque EVP_MAC_CTX.
  std::shared_ptr<void> hmac_template_;
  mutable std::mutex keys_mu_;
  std::shared_ptr<const KeySet> keys_;
};

// base64url without padding, as JWS uses; exposed for tests and the JWKS parser.
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string Base64UrlEncode(std::string_view bytes);

}  // namespace vf::auth
