// Verification matrix for auth/jwt and auth/jwks_source. Tokens are minted here with OpenSSL so
// every case (including forgeries) is built from first principles rather than fixtures.

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "auth/jwks_source.hpp"
#include "auth/jwt.hpp"

namespace vf::auth {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'800'000'000;
constexpr char kSecret[] = "super-secret-jwt-token-with-at-least-32-characters";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// ----- signing helpers ------------------------------------------------------------------------

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(), Bytes(data),
                 data.size(), mac, sizeof mac, &len)) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<char*>(mac), len);
}

// SHA-256 signature in OpenSSL's native form: DER for ECDSA, raw for RSA PKCS#1 v1.5.
std::string DigestSign(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, Bytes(data), data.size()) != 1) {
    throw std::runtime_error("DigestSign init failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, Bytes(data),
                     data.size()) != 1) {
    throw std::runtime_error("DigestSign failed");
  }
  sig.resize(len);
  return sig;
}

// JWS ES256 wants r||s, each left-padded to 32 bytes.
std::string Es256Sign(EVP_PKEY* key, std::string_view data) {
  std::string der = DigestSign(key, data);
  const unsigned char* p = Bytes(der);
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
  if (!sig) throw std::runtime_error("bad DER signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32) {
    throw std::runtime_error("r/s too large");
  }
  return raw;
}

using Signer = std::function<std::string(std::string_view)>;

std::string Compact(const json& header, std::string_view payload, const Signer& sign) {
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload);
  return input + "." + Base64UrlEncode(sign(input));
}

// ----- key export -----------------------------------------------------------------------------

std::string BnParam(EVP_PKEY* key, const char* name, int pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(name);
  int len = pad_to > 0 ? pad_to : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(len), '\0');
  int written = BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len);
  BN_free(bn);
  if (written != len) throw std::runtime_error("bignum export failed");
  return out;
}

json EcJwk(EVP_PKEY* key, const std::string& kid) {
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"kid", kid},
          {"use", "sig"},
          {"alg", "ES256"},
          {"x", Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

json RsaJwk(EVP_PKEY* key, const std::string& kid) {
  return {{"kty", "RSA"},
          {"kid", kid},
          {"alg", "RS256"},
          {"n", Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_RSA_N))},
          {"e", Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_RSA_E))}};
}

std::string PublicKeyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) throw std::runtime_error("PEM");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::shared_ptr<const KeySet> KeysFrom(const json& jwks) {
  auto set = KeySet::FromJwks(jwks.dump());
  if (!set) throw std::runtime_error("test JWKS rejected");
  return std::make_shared<const KeySet>(std::move(*set));
}

json DefaultClaims() {
  return {{"sub", "user-123"},
          {"aud", "authenticated"},
          {"exp", kNow + 3600},
          {"iat", kNow - 10},
          {"role", "authenticated"},
          {"app_metadata", {{"provider", "email"}, {"tier", "premium"}}},
          {"user_metadata", {{"name", "Ada"}}}};
}

std::string FlipLastSignatureByte(const std::string& token) {
  size_t dot = token.rfind('.');
  std::string sig = *Base64UrlDecode(token.substr(dot + 1));
  sig.back() = static_cast<char>(sig.back() ^ 0x01);
  return token.substr(0, dot + 1) + Base64UrlEncode(sig);
}

// Replaces the payload segment, keeping the original header and signature.
std::string WithPayload(const std::string& token, const json& claims) {
  size_t dot1 = token.find('.');
  size_t dot2 = token.rfind('.');
  return token.substr(0, dot1 + 1) + Base64UrlEncode(claims.dump()) + token.substr(dot2);
}

// ----- fixture --------------------------------------------------------------------------------

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ec_key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    ec_key2_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    rsa_key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    ASSERT_NE(ec_key_, nullptr);
    ASSERT_NE(ec_key2_, nullptr);
    ASSERT_NE(rsa_key_, nullptr);
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(ec_key_);
    EVP_PKEY_free(ec_key2_);
    EVP_PKEY_free(rsa_key_);
    ec_key_ = ec_key2_ = rsa_key_ = nullptr;
  }

  void SetUp() override { verifier_ = MakeVerifier(kSecret); }

  static json Jwks() { return {{"keys", {EcJwk(ec_key_, "ec-1"), RsaJwk(rsa_key_, "rsa-1")}}}; }

  static std::unique_ptr<JwtVerifier> MakeVerifier(std::string secret) {
    VerifierOptions options;
    options.hs256_secret = std::move(secret);
    auto v = std::make_unique<JwtVerifier>(std::move(options));
    v->SetKeys(KeysFrom(Jwks()));
    return v;
  }

  static std::string Hs256(const json& claims, std::string_view key = kSecret) {
    std::string k(key);
    return Compact({{"alg", "HS256"}, {"typ", "JWT"}}, claims.dump(),
                   [k](std::string_view in) { return HmacSha256(k, in); });
  }
  static std::string Es256(const json& claims, const std::string& kid = "ec-1",
                           EVP_PKEY* key = ec_key_) {
    return Compact({{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid}}, claims.dump(),
                   [key](std::string_view in) { return Es256Sign(key, in); });
  }
  static std::string Rs256(const json& claims, const std::string& kid = "rsa-1") {
    return Compact({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid}}, claims.dump(),
                   [](std::string_view in) { return DigestSign(rsa_key_, in); });
  }
  // One token per algorithm, for properties that must hold for all of them.
  static std::vector<std::string> AllAlgs(const json& claims) {
    return {Hs256(claims), Es256(claims), Rs256(claims)};
  }

  VerifyResult Verify(const std::string& token, int64_t now = kNow) const {
    return verifier_->Verify(token, now);
  }
  static void ExpectError(const VerifyResult& r, JwtError error) {
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.principal.has_value());
    ASSERT_TRUE(r.error.has_value());
    EXPECT_EQ(*r.error, error) << "got: " << JwtErrorText(*r.error);
  }

  static EVP_PKEY* ec_key_;
  static EVP_PKEY* ec_key2_;
  static EVP_PKEY* rsa_key_;
  std::unique_ptr<JwtVerifier> verifier_;
};

EVP_PKEY* JwtTest::ec_key_ = nullptr;
EVP_PKEY* JwtTest::ec_key2_ = nullptr;
EVP_PKEY* JwtTest::rsa_key_ = nullptr;

// ----- valid tokens ---------------------------------------------------------------------------

TEST_F(JwtTest, ValidHs256) {
  VerifyResult r = Verify(Hs256(DefaultClaims()));
  ASSERT_TRUE(r.ok()) << JwtErrorText(*r.error);
  EXPECT_FALSE(r.error.has_value());
  EXPECT_EQ(r.principal->user_id, "user-123");
  EXPECT_EQ(r.principal->tier, Tier::kPremium);
  EXPECT_EQ(r.principal->role, "authenticated");
  EXPECT_TRUE(r.kid.empty());
}

TEST_F(JwtTest, ValidEs256) {
  VerifyResult r = Verify(Es256(DefaultClaims()));
  ASSERT_TRUE(r.ok()) << JwtErrorText(*r.error);
  EXPECT_EQ(r.principal->user_id, "user-123");
  EXPECT_EQ(r.principal->tier, Tier::kPremium);
  EXPECT_EQ(r.kid, "ec-1");
}

TEST_F(JwtTest, ValidRs256) {
  VerifyResult r = Verify(Rs256(DefaultClaims()));
  ASSERT_TRUE(r.ok()) << JwtErrorText(*r.error);
  EXPECT_EQ(r.principal->user_id, "user-123");
  EXPECT_EQ(r.principal->tier, Tier::kPremium);
  EXPECT_EQ(r.kid, "rsa-1");
}

TEST_F(JwtTest, AdminTierFromAppMetadata) {
  json claims = DefaultClaims();
  claims["app_metadata"]["tier"] = "admin";
  VerifyResult r = Verify(Es256(claims));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.principal->tier, Tier::kAdmin);
  EXPECT_TRUE(r.principal->is_admin());
}

TEST_F(JwtTest, ServiceRoleIsAdmin) {
  json claims = DefaultClaims();
  claims["role"] = "service_role";
  claims.erase("app_metadata");
  VerifyResult r = Verify(Rs256(claims));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.principal->role, "service_role");
  EXPECT_EQ(r.principal->tier, Tier::kAdmin);
}

TEST_F(JwtTest, TierFromUserMetadataIgnored) {
  json claims = DefaultClaims();
  claims["app_metadata"] = {{"provider", "email"}};
  claims["user_metadata"] = {{"tier", "admin"}, {"role", "service_role"}};
  VerifyResult r = Verify(Hs256(claims));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.principal->tier, Tier::kFree);
  EXPECT_EQ(r.principal->role, "authenticated");
}

TEST_F(JwtTest, UnknownOrMissingTierIsFree) {
  json claims = DefaultClaims();
  claims["app_metadata"]["tier"] = "platinum";
  claims.erase("role");
  VerifyResult r = Verify(Hs256(claims));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.principal->tier, Tier::kFree);
  EXPECT_EQ(r.principal->role, "");
}

TEST_F(JwtTest, Es256WithoutKidUsesTheOnlyEcKey) {
  std::string token = Compact({{"alg", "ES256"}}, DefaultClaims().dump(),
                              [](std::string_view in) { return Es256Sign(ec_key_, in); });
  EXPECT_TRUE(Verify(token).ok());

  // With two EC keys the choice would be a guess.
  verifier_->SetKeys(KeysFrom(
      {{"keys", {EcJwk(ec_key_, "ec-1"), EcJwk(ec_key2_, "ec-2"), RsaJwk(rsa_key_, "rsa-1")}}}));
  ExpectError(Verify(token), JwtError::kUnknownKey);
}

// ----- time claims ----------------------------------------------------------------------------

TEST_F(JwtTest, Expired) {
  json claims = DefaultClaims();
  claims["exp"] = kNow - 31;
  for (const auto& token : AllAlgs(claims)) ExpectError(Verify(token), JwtError::kExpired);
}

TEST_F(JwtTest, ExpiredWithinLeewayAccepted) {
  json claims = DefaultClaims();
  claims["exp"] = kNow - 30;
  EXPECT_TRUE(Verify(Es256(claims)).ok());
  claims["exp"] = kNow - 29.5;  // NumericDate may be fractional
  EXPECT_TRUE(Verify(Es256(claims)).ok());
}

TEST_F(JwtTest, NotBeforeInFuture) {
  json claims = DefaultClaims();
  claims["nbf"] = kNow + 31;
  ExpectError(Verify(Es256(claims)), JwtError::kNotYetValid);
  claims["nbf"] = kNow + 30;
  EXPECT_TRUE(Verify(Es256(claims)).ok());
}

TEST_F(JwtTest, IssuedAtInFuture) {
  json claims = DefaultClaims();
  claims["iat"] = kNow + 120;
  ExpectError(Verify(Rs256(claims)), JwtError::kNotYetValid);
}

TEST_F(JwtTest, MissingExp) {
  json claims = DefaultClaims();
  claims.erase("exp");
  ExpectError(Verify(Es256(claims)), JwtError::kMalformed);
}

TEST_F(JwtTest, NonNumericExp) {
  json claims = DefaultClaims();
  claims["exp"] = std::to_string(kNow + 3600);
  ExpectError(Verify(Es256(claims)), JwtError::kMalformed);
  claims["exp"] = true;
  ExpectError(Verify(Es256(claims)), JwtError::kMalformed);
}

// ----- audience and subject -------------------------------------------------------------------

TEST_F(JwtTest, WrongAudience) {
  json claims = DefaultClaims();
  claims["aud"] = "anon";
  ExpectError(Verify(Es256(claims)), JwtError::kWrongAudience);
  claims.erase("aud");
  ExpectError(Verify(Es256(claims)), JwtError::kWrongAudience);
  claims["aud"] = json::array({"other", "anon"});
  ExpectError(Verify(Es256(claims)), JwtError::kWrongAudience);
}

TEST_F(JwtTest, AudienceArrayContainingAudienceAccepted) {
  json claims = DefaultClaims();
  claims["aud"] = json::array({"other", "authenticated"});
  EXPECT_TRUE(Verify(Es256(claims)).ok());
}

TEST_F(JwtTest, MissingSubject) {
  json claims = DefaultClaims();
  claims.erase("sub");
  ExpectError(Verify(Hs256(claims)), JwtError::kMissingSubject);
  claims["sub"] = "";
  ExpectError(Verify(Hs256(claims)), JwtError::kMissingSubject);
  claims["sub"] = 42;
  ExpectError(Verify(Hs256(claims)), JwtError::kMissingSubject);
}

// ----- algorithm pinning ----------------------------------------------------------------------

TEST_F(JwtTest, AlgNoneRejected) {
  std::string token = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
                      Base64UrlEncode(DefaultClaims().dump()) + ".";
  ExpectError(Verify(token), JwtError::kUnsupportedAlg);
  ExpectError(MakeVerifier("")->Verify(token, kNow), JwtError::kUnsupportedAlg);
}

TEST_F(JwtTest, OtherAlgsRejected) {
  for (const char* alg : {"HS384", "HS512", "RS512", "PS256", "ES384", "EdDSA", "None", "hs256"}) {
    std::string token = Compact({{"alg", alg}, {"kid", "ec-1"}}, DefaultClaims().dump(),
                                [](std::string_view in) { return HmacSha256(kSecret, in); });
    ExpectError(Verify(token), JwtError::kUnsupportedAlg);
  }
  std::string no_alg = Compact({{"typ", "JWT"}}, DefaultClaims().dump(),
                               [](std::string_view in) { return HmacSha256(kSecret, in); });
  ExpectError(Verify(no_alg), JwtError::kUnsupportedAlg);
}

TEST_F(JwtTest, Hs256RefusedWhenNoSecretConfigured) {
  ExpectError(MakeVerifier("")->Verify(Hs256(DefaultClaims(), ""), kNow),
              JwtError::kUnsupportedAlg);
  ExpectError(MakeVerifier("")->Verify(Hs256(DefaultClaims()), kNow), JwtError::kUnsupportedAlg);
}

// The classic confusion attack: HMAC "keyed" with the public RSA key the attacker can download.
std::string HmacWithRsaPem(EVP_PKEY* rsa) {
  std::string pem = PublicKeyPem(rsa);
  return Compact({{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "rsa-1"}}, DefaultClaims().dump(),
                 [pem](std::string_view in) { return HmacSha256(pem, in); });
}

TEST_F(JwtTest, HmacWithRsaPublicKeyRejectedWithoutSecret) {
  ExpectError(MakeVerifier("")->Verify(HmacWithRsaPem(rsa_key_), kNow), JwtError::kUnsupportedAlg);
}

TEST_F(JwtTest, HmacWithRsaPublicKeyRejectedWithOtherSecret) {
  ExpectError(Verify(HmacWithRsaPem(rsa_key_)), JwtError::kBadSignature);
}

TEST_F(JwtTest, Es256HeaderWithRsaKidRejected) {
  ExpectError(Verify(Es256(DefaultClaims(), "rsa-1")), JwtError::kUnknownKey);
  std::string rs_with_ec_kid =
      Compact({{"alg", "RS256"}, {"kid", "ec-1"}}, DefaultClaims().dump(),
              [](std::string_view in) { return DigestSign(rsa_key_, in); });
  ExpectError(Verify(rs_with_ec_kid), JwtError::kUnknownKey);
}

TEST_F(JwtTest, UnknownKid) {
  VerifyResult r = Verify(Es256(DefaultClaims(), "rotated-2", ec_key2_));
  ExpectError(r, JwtError::kUnknownKey);
  EXPECT_EQ(r.kid, "rotated-2");  // lets the caller ask for a JWKS refresh
}

TEST_F(JwtTest, NoKeySetConfigured) {
  JwtVerifier bare(VerifierOptions{});
  ExpectError(bare.Verify(Es256(DefaultClaims()), kNow), JwtError::kUnknownKey);
}

// ----- tampering ------------------------------------------------------------------------------

TEST_F(JwtTest, TamperedPayloadRejected) {
  json forged = DefaultClaims();
  forged["app_metadata"]["tier"] = "admin";
  for (const auto& token : AllAlgs(DefaultClaims())) {
    ExpectError(Verify(WithPayload(token, forged)), JwtError::kBadSignature);
  }
}

TEST_F(JwtTest, TamperedSignatureRejected) {
  for (const auto& token : AllAlgs(DefaultClaims())) {
    ASSERT_TRUE(Verify(token).ok());
    ExpectError(Verify(FlipLastSignatureByte(token)), JwtError::kBadSignature);
  }
}

TEST_F(JwtTest, WrongSignatureLengthRejected) {
  for (const auto& token : AllAlgs(DefaultClaims())) {
    ExpectError(Verify(token + "AAAA"), JwtError::kBadSignature);
    ExpectError(Verify(token.substr(0, token.rfind('.') + 1)), JwtError::kBadSignature);
  }
}

// ----- malformed input ------------------------------------------------------------------------

TEST_F(JwtTest, MalformedTwoSegments) {
  std::string token = Es256(DefaultClaims());
  ExpectError(Verify(token.substr(0, token.rfind('.'))), JwtError::kMalformed);
}

TEST_F(JwtTest, MalformedFourSegments) {
  ExpectError(Verify(Es256(DefaultClaims()) + ".AAAA"), JwtError::kMalformed);
  ExpectError(Verify("..."), JwtError::kMalformed);
}

TEST_F(JwtTest, MalformedBadBase64) {
  std::string token = Hs256(DefaultClaims());
  std::string bad_header = token;
  bad_header[0] = '*';
  std::string bad_payload = token;
  bad_payload[token.find('.') + 1] = '+';
  std::string padded_sig = token + "=";
  ExpectError(Verify(bad_header), JwtError::kMalformed);
  ExpectError(Verify(bad_payload), JwtError::kMalformed);
  ExpectError(Verify(padded_sig), JwtError::kMalformed);
}

TEST_F(JwtTest, MalformedHeaderNotJson) {
  std::string token = Hs256(DefaultClaims());
  std::string rest = token.substr(token.find('.'));
  ExpectError(Verify(Base64UrlEncode("{not json") + rest), JwtError::kMalformed);
  ExpectError(Verify(Base64UrlEncode(R"(["alg","HS256"])") + rest), JwtError::kMalformed);
  ExpectError(Verify(Base64UrlEncode(R"({"alg":256})") + rest), JwtError::kMalformed);
  ExpectError(Verify(rest), JwtError::kMalformed);  // empty header segment
}

TEST_F(JwtTest, MalformedPayloadNotJson) {
  // Correctly signed, so the payload is actually parsed.
  auto hmac = [](std::string_view in) { return HmacSha256(kSecret, in); };
  ExpectError(Verify(Compact({{"alg", "HS256"}}, "not json", hmac)), JwtError::kMalformed);
  ExpectError(Verify(Compact({{"alg", "HS256"}}, "[1,2]", hmac)), JwtError::kMalformed);
  ExpectError(Verify(Compact({{"alg", "HS256"}}, "", hmac)), JwtError::kMalformed);
}

TEST_F(JwtTest, MalformedWrongClaimTypes) {
  json claims = DefaultClaims();
  claims["app_metadata"] = "premium";
  ExpectError(Verify(Hs256(claims)), JwtError::kMalformed);
  claims = DefaultClaims();
  claims["role"] = json::array({"service_role"});
  ExpectError(Verify(Hs256(claims)), JwtError::kMalformed);
}

TEST_F(JwtTest, MalformedEmptyString) {
  ExpectError(Verify(""), JwtError::kMalformed);
  ExpectError(Verify(".."), JwtError::kMalformed);
}

TEST_F(JwtTest, OversizedTokenRejected) {
  json claims = DefaultClaims();
  claims["pad"] = std::string(16 * 1024, 'x');
  ExpectError(Verify(Hs256(claims)), JwtError::kMalformed);
}

TEST_F(JwtTest, DeeplyNestedHeaderIsMalformed) {
  std::string nested = std::string(6000, '[') + std::string(6000, ']');
  std::string token = Hs256(DefaultClaims());
  ExpectError(Verify(Base64UrlEncode(nested) + token.substr(token.find('.'))),
              JwtError::kMalformed);
}

TEST_F(JwtTest, CritHeaderRejected) {
  std::string token = Compact({{"alg", "HS256"}, {"crit", {"exp"}}}, DefaultClaims().dump(),
                              [](std::string_view in) { return HmacSha256(kSecret, in); });
  ExpectError(Verify(token), JwtError::kMalformed);
}

TEST_F(JwtTest, ErrorTextsAreDistinct) {
  const JwtError all[] = {JwtError::kMalformed,     JwtError::kUnsupportedAlg,
                          JwtError::kUnknownKey,    JwtError::kBadSignature,
                          JwtError::kExpired,       JwtError::kNotYetValid,
                          JwtError::kWrongAudience, JwtError::kMissingSubject};
  std::set<std::string_view> seen;
  for (JwtError e : all) {
    EXPECT_FALSE(JwtErrorText(e).empty());
    EXPECT_TRUE(seen.insert(JwtErrorText(e)).second);
  }
}

TEST_F(JwtTest, ConcurrentVerifyWhileKeysSwap) {
  std::vector<std::string> tokens = AllAlgs(DefaultClaims());
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        if (!Verify(tokens[static_cast<size_t>((t + i) % 3)]).ok()) ++failures;
      }
    });
  }
  std::thread swapper([&] {
    auto keys = KeysFrom(Jwks());
    while (!done) verifier_->SetKeys(keys);
  });
  for (auto& th : threads) th.join();
  done = true;
  swapper.join();
  EXPECT_EQ(failures.load(), 0);
}

// ----- KeySet ---------------------------------------------------------------------------------

// Same fixture (generated keys) under the name of the component being tested.
using KeySetKeysTest = JwtTest;

TEST_F(KeySetKeysTest, FromJwksSkipsOctAndEncKeys) {
  json enc = EcJwk(ec_key2_, "ec-enc");
  enc["use"] = "enc";
  json oct = {{"kty", "oct"}, {"kid", "hmac"}, {"k", Base64UrlEncode("secret")}};
  json jwks = {{"keys", {oct, enc, EcJwk(ec_key_, "ec-1")}}};
  std::optional<KeySet> set = KeySet::FromJwks(jwks.dump());
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->size(), 1u);
  EXPECT_TRUE(set->Contains("ec-1"));
  EXPECT_FALSE(set->Contains("ec-enc"));
  EXPECT_FALSE(set->Contains("hmac"));
}

TEST_F(KeySetKeysTest, FromJwksSkipsMismatchedAlgMissingKidAndBadKeys) {
  json wrong_alg = EcJwk(ec_key2_, "ec-rs");
  wrong_alg["alg"] = "RS256";
  json no_kid = EcJwk(ec_key2_, "x");
  no_kid.erase("kid");
  json other_curve = EcJwk(ec_key2_, "ec-384");
  other_curve["crv"] = "P-384";
  json off_curve = EcJwk(ec_key2_, "ec-off");
  off_curve["y"] = off_curve["x"];
  json short_x = EcJwk(ec_key2_, "ec-short");
  short_x["x"] = Base64UrlEncode(std::string(31, '\x01'));
  json rsa_es = RsaJwk(rsa_key_, "rsa-es");
  rsa_es["alg"] = "ES256";
  json jwks = {{"keys",
                {wrong_alg, no_kid, other_curve, off_curve, short_x, rsa_es, "not an object",
                 EcJwk(ec_key_, "ec-1"), RsaJwk(rsa_key_, "rsa-1")}}};
  std::optional<KeySet> set = KeySet::FromJwks(jwks.dump());
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->size(), 2u);
  EXPECT_TRUE(set->Contains("ec-1"));
  EXPECT_TRUE(set->Contains("rsa-1"));
}

TEST_F(KeySetKeysTest, FromJwksRejectsShortRsaModulus) {
  Pkey small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  ASSERT_TRUE(small);
  std::optional<KeySet> set =
      KeySet::FromJwks(json{{"keys", {RsaJwk(small.get(), "weak")}}}.dump());
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->size(), 0u);
}

TEST(KeySetTest, FromJwksReturnsNulloptForNonJwks) {
  std::string error;
  EXPECT_FALSE(KeySet::FromJwks("<html>oops</html>", &error).has_value());
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(KeySet::FromJwks("").has_value());
  EXPECT_FALSE(KeySet::FromJwks("[]").has_value());
  EXPECT_FALSE(KeySet::FromJwks(R"({"keys": {}})").has_value());
  EXPECT_FALSE(KeySet::FromJwks(R"({"kty": "EC"})").has_value());

  std::optional<KeySet> empty = KeySet::FromJwks(R"({"keys": []})");
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->size(), 0u);
}

// ----- base64url ------------------------------------------------------------------------------

TEST(Base64UrlTest, RoundTrip) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    std::optional<std::string> decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>((i * 7919 + 13) & 0xFF));
  }
}

TEST(Base64UrlTest, Padding) {
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(Base64UrlDecode("Zg=="), "f");
  EXPECT_EQ(Base64UrlDecode("Zm8="), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zg=").has_value());
  EXPECT_FALSE(Base64UrlDecode("Z=g=").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9v=").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zg===").has_value());
  EXPECT_FALSE(Base64UrlDecode("====").has_value());
}

TEST(Base64UrlTest, RejectsInvalidInput) {
  EXPECT_FALSE(Base64UrlDecode("Zm9v+A").has_value());  // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zm9v/A").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm 9v").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9v\n").has_value());
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zm\0v", 4)).has_value());
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());   // impossible length
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());  // non-zero trailing bits
}

// ----- JwksSource -----------------------------------------------------------------------------

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() / ("vf_jwks_test_" + std::to_string(::getpid()) +
                                                      "_" + std::to_string(counter++) + ".json");
    std::ofstream(path_) << content;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

using JwksSourceKeysTest = JwtTest;

TEST_F(JwksSourceKeysTest, LoadsFileAndVerifiesEs256) {
  TempFile file(Jwks().dump());
  JwtVerifier verifier(VerifierOptions{});
  JwksSource source(file.path(), "https://ignored.supabase.co", std::chrono::seconds(600),
                    verifier);
  source.LoadNow();
  ASSERT_TRUE(verifier.keys());
  EXPECT_EQ(verifier.keys()->size(), 2u);
  VerifyResult r = verifier.Verify(Es256(DefaultClaims()), kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.principal->user_id, "user-123");
  source.StartRefresh();  // file sources do not refresh; must be a harmless no-op
  source.OnUnknownKid("whatever");
}

TEST(JwksSourceTest, MissingFileThrowsNamingSetting) {
  JwtVerifier verifier(VerifierOptions{});
  JwksSource source("/nonexistent/dir/jwks.json", "", std::chrono::seconds(600), verifier);
  try {
    source.LoadNow();
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("SUPABASE_JWKS_PATH"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(verifier.keys());
}

TEST(JwksSourceTest, InvalidFileThrowsNamingSetting) {
  TempFile file("not a jwks");
  JwtVerifier verifier(VerifierOptions{});
  JwksSource source(file.path(), "", std::chrono::seconds(600), verifier);
  try {
    source.LoadNow();
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("SUPABASE_JWKS_PATH"), std::string::npos) << e.what();
  }
}

TEST(JwksSourceTest, UrlDerivedFromSupabaseUrl) {
  JwtVerifier verifier(VerifierOptions{});
  JwksSource source("", "https://abc.supabase.co/", std::chrono::seconds(600), verifier);
  EXPECT_EQ(source.url(), "https://abc.supabase.co/auth/v1/.well-known/jwks.json");
}

TEST(JwksSourceTest, FailedRefreshKeepsKeysAndStopsPromptly) {
  JwtVerifier verifier(VerifierOptions{});
  auto keys = std::make_shared<const KeySet>();
  verifier.SetKeys(keys);
  {
    // Port 1 on loopback refuses at once, so the woken refresh fails fast without a network.
    JwksSource source("", "http://127.0.0.1:1", std::chrono::seconds(3600), verifier);
    source.StartRefresh();
    source.OnUnknownKid("new-kid");
    source.OnUnknownKid("new-kid");  // rate-limited: no second wake-up
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(verifier.keys(), keys);
}

}  // namespace
}  // namespace vf::auth
