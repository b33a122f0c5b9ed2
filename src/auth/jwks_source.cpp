#include "auth/jwks_source.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "core/log.hpp"

namespace vf::auth {
namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;
constexpr long kFetchTimeoutMs = 5000;
constexpr auto kUnknownKidMinInterval = std::chrono::seconds(30);

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct Body {
  std::string data;
  bool too_large = false;
};

size_t OnBody(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t n = size * nmemb;
  if (body->data.size() + n > kMaxBodyBytes) {
    body->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  body->data.append(ptr, n);
  return n;
}

}  // namespace

std::string HttpGet(const std::string& url, long timeout_ms) {
  static std::once_flag init_once;
  std::call_once(init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  Body body;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // signals are unsafe with our worker threads
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  // A redirect could point the key fetch somewhere else entirely; the URL is configured as-is.
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxBodyBytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "voicefit-jwks/1");

  CURLcode rc = curl_easy_perform(c);
  if (body.too_large) throw std::runtime_error("GET " + url + ": response larger than 1 MiB");
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    throw std::runtime_error("GET " + url + ": " + detail);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    throw std::runtime_error("GET " + url + ": HTTP " + std::to_string(status));
  }
  return std::move(body.data);
}

JwksSource::JwksSource(std::string file_path, std::string supabase_url,
                       std::chrono::seconds refresh, JwtVerifier& verifier)
    : file_path_(std::move(file_path)), refresh_(refresh), verifier_(verifier) {
  if (file_path_.empty() && !supabase_url.empty()) {
    while (!supabase_url.empty() && supabase_url.back() == '/') supabase_url.pop_back();
    url_ = supabase_url + "/auth/v1/.well-known/jwks.json";
  }
}

JwksSource::~JwksSource() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JwksSource::LoadNow() {
  std::string body;
  const char* setting;
  if (!file_path_.empty()) {
    setting = "SUPABASE_JWKS_PATH";
    std::ifstream in(file_path_, std::ios::binary);
    if (!in) throw std::runtime_error(std::string(setting) + ": cannot open " + file_path_);
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw std::runtime_error(std::string(setting) + ": cannot read " + file_path_);
  } else {
    setting = "SUPABASE_URL";
    if (url_.empty()) throw std::runtime_error("SUPABASE_URL: not set (and no SUPABASE_JWKS_PATH)");
    try {
      body = HttpGet(url_, kFetchTimeoutMs);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(setting) + ": fetching JWKS failed: " + e.what());
    }
  }
  std::string error;
  std::optional<KeySet> keys = KeySet::FromJwks(body, &error);
  if (!keys) {
    const std::string& source = file_path_.empty() ? url_ : file_path_;
    throw std::runtime_error(std::string(setting) + ": " + error + " (" + source + ")");
  }
  verifier_.SetKeys(std::make_shared<const KeySet>(std::move(*keys)));
}

void JwksSource::StartRefresh() {
  // A file does not change under us in a way we could notice; only URL sources refresh.
  if (!file_path_.empty() || url_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { RefreshLoop(); });
}

void JwksSource::OnUnknownKid(const std::string& kid) {
  if (!file_path_.empty()) return;  // nothing to fetch; the file is the whole truth
  {
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    // Rate-limited: every forged kid would otherwise trigger a fetch.
    if (last_unknown_kid_refresh_ != std::chrono::steady_clock::time_point{} &&
        now - last_unknown_kid_refresh_ < kUnknownKidMinInterval) {
      return;
    }
    last_unknown_kid_refresh_ = now;
    wake_ = true;
  }
  cv_.notify_all();
  log::Write(log::Level::kInfo, "jwks refresh requested for unknown kid",
             {{"kid", kid.substr(0, 64)}});
}

void JwksSource::RefreshLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto woken = [this] { return stop_ || wake_; };
    // A non-positive interval disables the timer; unknown-kid requests still wake us.
    if (refresh_.count() > 0) {
      // Clamped so an absurd setting cannot overflow the clock arithmetic inside wait_for.
      cv_.wait_for(lock, std::min<std::chrono::seconds>(refresh_, std::chrono::hours(24 * 365)),
                   woken);
    } else {
      cv_.wait(lock, woken);
    }
    if (stop_) break;
    wake_ = false;
    lock.unlock();
    try {
      LoadNow();
    } catch (const std::exception& e) {
      // Keep serving with the previous keys; a transient outage must not lock everyone out.
      log::Write(log::Level::kWarn, "jwks refresh failed, keeping previous keys",
                 {{"url", url_}, {"error", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace vf::auth
