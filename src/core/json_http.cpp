#include "core/json_http.hpp"

#include <curl/curl.h>

namespace vf {

struct JsonHttpClient::Handle {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  std::string response;
  ~Handle() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
  }
};

JsonHttpClient::JsonHttpClient(std::string bearer_token, std::chrono::milliseconds timeout)
    : auth_header_("Authorization: Bearer " + bearer_token), timeout_(timeout) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

JsonHttpClient::~JsonHttpClient() = default;

std::unique_ptr<JsonHttpClient::Handle> JsonHttpClient::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  auto h = std::make_unique<Handle>();
  if (h->curl == nullptr) throw HttpError("cannot create a curl handle");
  h->headers = curl_slist_append(h->headers, auth_header_.c_str());
  h->headers = curl_slist_append(h->headers, "Content-Type: application/json");
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
  curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h->curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(
      h->curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &h->response);
  return h;
}

JsonHttpClient::Reply JsonHttpClient::Post(const std::string& url, const std::string& json_body,
                                           std::optional<std::chrono::milliseconds> timeout) {
  auto h = Acquire();  // a failed handle is dropped, not pooled: its connection may be broken
  h->response.clear();
  // Set on every call: a pooled handle keeps whatever deadline its last call had.
  curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(timeout.value_or(timeout_).count()));
  curl_easy_setopt(h->curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, json_body.c_str());
  curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(json_body.size()));
  CURLcode rc = curl_easy_perform(h->curl);
  if (rc != CURLE_OK) throw HttpError(url + ": " + curl_easy_strerror(rc));
  Reply reply;
  curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &reply.status);
  reply.body = std::move(h->response);
  h->response.clear();
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(h));
  return reply;
}

}  // namespace vf
