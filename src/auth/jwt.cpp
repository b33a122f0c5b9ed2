#include "auth/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <array>
#include <cmath>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace vf::auth {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxTokenBytes = 16 * 1024;
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256CoordBytes = 32;
constexpr std::size_t kSha256Bytes = 32;

enum class KeyKind { kEc, kRsa };

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// 0..63 for the base64url alphabet, -1 for anything else (including '+', '/' and '=').
constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}
constexpr std::array<int8_t, 256> kDecodeTable = MakeDecodeTable();

// Builds a public key from OSSL_PARAMs; runs the provider's public-key check so an off-curve
// point or a degenerate RSA modulus never makes it into the key set.
PkeyPtr KeyFromParams(const char* type, OSSL_PARAM* params) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  PkeyPtr key(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

// JWK members are base64url strings; anything else makes the key unusable.
std::optional<std::string> B64Member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return Base64UrlDecode(it->get_ref<const std::string&>());
}

PkeyPtr EcKeyFromJwk(const json& jwk) {
  auto crv = jwk.find("crv");
  if (crv == jwk.end() || !crv->is_string() || *crv != "P-256") return nullptr;
  auto x = B64Member(jwk, "x");
  auto y = B64Member(jwk, "y");
  // RFC 7518 6.2.1.2: coordinates are full-length, so anything but 32 bytes is malformed.
  if (!x || !y || x->size() != kP256CoordBytes || y->size() != kP256CoordBytes) return nullptr;
  std::string point = "\x04" + *x + *y;

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return KeyFromParams("EC", params.get());
}

PkeyPtr RsaKeyFromJwk(const json& jwk) {
  auto n_bytes = B64Member(jwk, "n");
  auto e_bytes = B64Member(jwk, "e");
  if (!n_bytes || !e_bytes || n_bytes->empty() || e_bytes->empty()) return nullptr;
  BnPtr n(BN_bin2bn(Bytes(*n_bytes), static_cast<int>(n_bytes->size()), nullptr));
  BnPtr e(BN_bin2bn(Bytes(*e_bytes), static_cast<int>(e_bytes->size()), nullptr));
  if (!n || !e) return nullptr;

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return nullptr;
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  PkeyPtr key = KeyFromParams("RSA", params.get());
  if (!key || EVP_PKEY_get_bits(key.get()) < kMinRsaBits) return nullptr;
  return key;
}

bool OptionalStringEquals(const json& obj, const char* name, std::string_view expected) {
  auto it = obj.find(name);
  if (it == obj.end()) return true;
  return it->is_string() && it->get_ref<const std::string&>() == expected;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// base64url

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  // Padding is optional, but when present it must be the correct amount at the very end.
  if (!text.empty() && text.back() == '=') {
    if (text.size() % 4 != 0) return std::nullopt;
    text.remove_suffix(1);
    if (!text.empty() && text.back() == '=') text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) return std::nullopt;  // no byte count encodes to this length

  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = kDecodeTable[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // Non-zero leftover bits mean a non-canonical encoding; rejecting them keeps every byte string
  // to exactly one textual form (no signature variants that decode to the same bytes).
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : bytes) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3F]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// KeySet

struct KeySet::Impl {
  struct Entry {
    KeyKind kind;
    PkeyPtr key;
  };
  std::map<std::string, Entry, std::less<>> keys;

  const Entry* Find(std::string_view kid) const {
    auto it = keys.find(kid);
    return it == keys.end() ? nullptr : &it->second;
  }
  // For tokens without a kid: only unambiguous when a single key of that kind exists.
  const Entry* OnlyOfKind(KeyKind kind) const {
    const Entry* found = nullptr;
    for (const auto& [kid, entry] : keys) {
      if (entry.kind != kind) continue;
      if (found) return nullptr;
      found = &entry;
    }
    return found;
  }
};

KeySet::KeySet() : impl_(std::make_unique<Impl>()) {}
KeySet::~KeySet() = default;
KeySet::KeySet(KeySet&&) noexcept = default;
KeySet& KeySet::operator=(KeySet&&) noexcept = default;

std::size_t KeySet::size() const { return impl_ ? impl_->keys.size() : 0; }

bool KeySet::Contains(std::string_view kid) const { return impl_ && impl_->Find(kid) != nullptr; }

std::optional<KeySet> KeySet::FromJwks(std::string_view text, std::string* error) {
  auto fail = [error](const char* why) -> std::optional<KeySet> {
    if (error) *error = why;
    return std::nullopt;
  };
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail("JWKS is not valid JSON");
  if (!doc.is_object()) return fail("JWKS is not a JSON object");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) return fail("JWKS has no \"keys\" array");

  KeySet set;
  for (const json& jwk : *keys) {
    if (!jwk.is_object()) continue;
    auto kid = jwk.find("kid");
    auto kty = jwk.find("kty");
    if (kid == jwk.end() || !kid->is_string() || kid->get_ref<const std::string&>().empty()) {
      continue;
    }
    if (kty == jwk.end() || !kty->is_string()) continue;
    if (!OptionalStringEquals(jwk, "use", "sig")) continue;

    const std::string& type = kty->get_ref<const std::string&>();
    KeyKind kind;
    PkeyPtr key;
    if (type == "EC") {
      if (!OptionalStringEquals(jwk, "alg", "ES256")) continue;
      kind = KeyKind::kEc;
      key = EcKeyFromJwk(jwk);
    } else if (type == "RSA") {
      if (!OptionalStringEquals(jwk, "alg", "RS256")) continue;
      kind = KeyKind::kRsa;
      key = RsaKeyFromJwk(jwk);
    } else {
      continue;  // "oct" (HMAC secrets never come from a JWKS), "OKP", ...
    }
    if (!key) continue;
    // A duplicated kid keeps its first key: later entries must not silently replace it.
    set.impl_->keys.try_emplace(kid->get<std::string>(), Impl::Entry{kind, std::move(key)});
  }
  return set;
}

// ---------------------------------------------------------------------------------------------
// Verification

std::string_view JwtErrorText(JwtError error) {
  switch (error) {
    case JwtError::kMalformed:
      return "malformed token";
    case JwtError::kUnsupportedAlg:
      return "unsupported token algorithm";
    case JwtError::kUnknownKey:
      return "unknown signing key";
    case JwtError::kBadSignature:
      return "invalid token signature";
    case JwtError::kExpired:
      return "token expired";
    case JwtError::kNotYetValid:
      return "token not yet valid";
    case JwtError::kWrongAudience:
      return "token audience not accepted";
    case JwtError::kMissingSubject:
      return "token has no subject";
  }
  return "invalid token";
}

namespace {

std::shared_ptr<void> MakeHmacTemplate(const std::string& secret) {
  if (secret.empty()) return nullptr;
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return nullptr;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context keeps its own reference
  if (ctx == nullptr) return nullptr;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx, Bytes(secret), secret.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx);
    return nullptr;
  }
  return std::shared_ptr<void>(ctx,
                               [](void* p) { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(p)); });
}

bool VerifyHs256(const void* keyed_template, std::string_view input, std::string_view sig) {
  if (sig.size() != kSha256Bytes || keyed_template == nullptr) return false;
  // The template is only read; each verification works on its own copy.
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(
      EVP_MAC_CTX_dup(static_cast<const EVP_MAC_CTX*>(keyed_template)), &EVP_MAC_CTX_free);
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t mac_len = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), Bytes(input), input.size()) != 1 ||
      EVP_MAC_final(ctx.get(), mac, &mac_len, sizeof mac) != 1 || mac_len != kSha256Bytes) {
    return false;
  }
  return CRYPTO_memcmp(mac, sig.data(), kSha256Bytes) == 0;
}

bool DigestVerifySha256(EVP_PKEY* key, bool rsa_pkcs1, std::string_view input,
                        const unsigned char* sig, std::size_t sig_len) {
  // A fresh context per call: the EVP_PKEY is shared read-only, contexts are not.
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1) {
    return false;
  }
  if (rsa_pkcs1 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig, sig_len, Bytes(input), input.size()) == 1;
}

bool VerifyEs256(EVP_PKEY* key, std::string_view input, std::string_view sig) {
  // JWS carries r||s as two 32-byte big-endian integers; OpenSSL wants a DER ECDSA-Sig-Value.
  if (sig.size() != 2 * kP256CoordBytes) return false;
  BnPtr r(BN_bin2bn(Bytes(sig), static_cast<int>(kP256CoordBytes), nullptr));
  BnPtr s(BN_bin2bn(Bytes(sig) + kP256CoordBytes, static_cast<int>(kP256CoordBytes), nullptr));
  EcdsaSigPtr ecdsa(ECDSA_SIG_new());
  if (!r || !s || !ecdsa || ECDSA_SIG_set0(ecdsa.get(), r.get(), s.get()) != 1) return false;
  r.release();  // now owned by ecdsa
  s.release();
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(ecdsa.get(), &der);
  if (der_len <= 0) return false;
  bool ok = DigestVerifySha256(key, false, input, der, static_cast<std::size_t>(der_len));
  OPENSSL_free(der);
  return ok;
}

bool VerifyRs256(EVP_PKEY* key, std::string_view input, std::string_view sig) {
  if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key))) return false;
  return DigestVerifySha256(key, true, input, Bytes(sig), sig.size());
}

// Numeric date claims (RFC 7519 NumericDate may be fractional). Absent -> nullopt with
// `malformed` false; present but not a finite number -> `malformed` true.
std::optional<double> NumericDate(const json& claims, const char* name, bool& malformed) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) {
    malformed = true;
    return std::nullopt;
  }
  double value = it->get<double>();
  if (!std::isfinite(value)) {
    malformed = true;
    return std::nullopt;
  }
  return value;
}

bool AudienceMatches(const json& claims, const std::string& audience) {
  auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return it->get_ref<const std::string&>() == audience;
  if (it->is_array()) {
    for (const json& a : *it) {
      if (a.is_string() && a.get_ref<const std::string&>() == audience) return true;
    }
  }
  return false;
}

}  // namespace

JwtVerifier::JwtVerifier(VerifierOptions options)
    : options_(std::move(options)), hmac_template_(MakeHmacTemplate(options_.hs256_secret)) {}
JwtVerifier::~JwtVerifier() = default;

void JwtVerifier::SetKeys(std::shared_ptr<const KeySet> keys) {
  std::lock_guard lock(keys_mu_);
  keys_ = std::move(keys);
}

std::shared_ptr<const KeySet> JwtVerifier::keys() const {
  std::lock_guard lock(keys_mu_);
  return keys_;
}

VerifyResult JwtVerifier::Verify(std::string_view token, int64_t now_s) const {
  VerifyResult result;
  auto fail = [&result](JwtError error) {
    result.error = error;
    return std::move(result);
  };
  try {
    if (token.size() > kMaxTokenBytes) return fail(JwtError::kMalformed);
    // JWS compact form is unpadded (RFC 7515 2); refusing '=' keeps one spelling per token.
    if (token.find('=') != std::string_view::npos) return fail(JwtError::kMalformed);

    std::size_t dot1 = token.find('.');
    if (dot1 == std::string_view::npos) return fail(JwtError::kMalformed);
    std::size_t dot2 = token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
      return fail(JwtError::kMalformed);
    }
    std::string_view signing_input = token.substr(0, dot2);
    // All three segments must be valid base64url before anything else is looked at.
    auto header_bytes = Base64UrlDecode(token.substr(0, dot1));
    auto payload_bytes = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = Base64UrlDecode(token.substr(dot2 + 1));
    if (!header_bytes || !payload_bytes || !signature) {
      return fail(JwtError::kMalformed);
    }

    json header = json::parse(*header_bytes, nullptr, /*allow_exceptions=*/false);
    if (header.is_discarded() || !header.is_object()) {
      return fail(JwtError::kMalformed);
    }
    auto kid_it = header.find("kid");
    if (kid_it != header.end()) {
      if (!kid_it->is_string()) return fail(JwtError::kMalformed);
      result.kid = kid_it->get<std::string>();
    }
    // RFC 7515 4.1.11: critical extensions we do not implement must make the token invalid.
    if (header.contains("crit")) return fail(JwtError::kMalformed);
    auto alg_it = header.find("alg");
    if (alg_it == header.end()) return fail(JwtError::kUnsupportedAlg);
    if (!alg_it->is_string()) return fail(JwtError::kMalformed);
    const std::string& alg = alg_it->get_ref<const std::string&>();

    bool signature_ok = false;
    if (alg == "HS256") {
      // The secret is the only HMAC key: a JWKS never supplies one, so an attacker cannot
      // steer HS256 toward a public key.
      if (options_.hs256_secret.empty()) {
        return fail(JwtError::kUnsupportedAlg);
      }
      signature_ok = VerifyHs256(hmac_template_.get(), signing_input, *signature);
    } else if (alg == "ES256" || alg == "RS256") {
      KeyKind kind = alg == "ES256" ? KeyKind::kEc : KeyKind::kRsa;
      std::shared_ptr<const KeySet> keys = this->keys();
      if (!keys || keys->size() == 0) return fail(JwtError::kUnknownKey);
      const KeySet::Impl::Entry* entry =
          kid_it != header.end() ? keys->impl().Find(result.kid) : keys->impl().OnlyOfKind(kind);
      if (!entry || entry->kind != kind) return fail(JwtError::kUnknownKey);
      signature_ok = kind == KeyKind::kEc
                         ? VerifyEs256(entry->key.get(), signing_input, *signature)
                         : VerifyRs256(entry->key.get(), signing_input, *signature);
    } else {
      return fail(JwtError::kUnsupportedAlg);
    }
    if (!signature_ok) return fail(JwtError::kBadSignature);

    // Claims are only trusted (or even parsed) once the signature holds.
    json claims = json::parse(*payload_bytes, nullptr, /*allow_exceptions=*/false);
    if (claims.is_discarded() || !claims.is_object()) {
      return fail(JwtError::kMalformed);
    }
    const double now = static_cast<double>(now_s);
    const double leeway = static_cast<double>(options_.leeway_s);
    bool malformed = false;
    auto exp = NumericDate(claims, "exp", malformed);
    auto nbf = NumericDate(claims, "nbf", malformed);
    auto iat = NumericDate(claims, "iat", malformed);
    if (malformed || !exp) return fail(JwtError::kMalformed);
    if (now > *exp + leeway) return fail(JwtError::kExpired);
    if (nbf && *nbf > now + leeway) return fail(JwtError::kNotYetValid);
    if (iat && *iat > now + leeway) return fail(JwtError::kNotYetValid);
    if (!AudienceMatches(claims, options_.audience)) {
      return fail(JwtError::kWrongAudience);
    }
    auto sub = claims.find("sub");
    if (sub == claims.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty()) {
      return fail(JwtError::kMissingSubject);
    }

    Principal principal;
    principal.user_id = sub->get<std::string>();
    if (auto role = claims.find("role"); role != claims.end()) {
      if (!role->is_string()) return fail(JwtError::kMalformed);
      principal.role = role->get<std::string>();
    }
    // app_metadata is server-controlled in Supabase; user_metadata is user-writable and ignored.
    if (auto meta = claims.find("app_metadata"); meta != claims.end()) {
      if (!meta->is_object()) return fail(JwtError::kMalformed);
      auto tier = meta->find("tier");
      if (tier != meta->end() && tier->is_string()) {
        if (*tier == "premium") principal.tier = Tier::kPremium;
        if (*tier == "admin") principal.tier = Tier::kAdmin;
      }
    }
    if (principal.role == "service_role") principal.tier = Tier::kAdmin;
    result.principal = std::move(principal);
    return result;
  } catch (const std::exception&) {
    // nlohmann type errors or allocation failure: the token is rejected, never the request.
    result.principal.reset();
    result.error = JwtError::kMalformed;
    return result;
  }
}

}  // namespace vf::auth
