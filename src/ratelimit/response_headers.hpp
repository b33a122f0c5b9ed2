#pragma once
// How a decision is told to the client: RateLimit-Policy / RateLimit (IETF draft-11) and the
// legacy X-RateLimit-* trio for the window nearest its limit, Retry-After and the 429 body.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "ratelimit/decision.hpp"

namespace vf::ratelimit {

// Whole seconds, rounded up: a client that waits this long is never early.
int64_t CeilSeconds(int64_t micros);

// Retry-After for a refused decision: whole seconds until it would be admitted, at least 1.
int64_t RetryAfterSeconds(const Decision& decision);

// The index of the window nearest its limit (least remaining; on a tie the later reset).
std::size_t NearestWindow(const Decision& decision);

void AppendRateLimitHeaders(const Decision& decision, std::span<const WindowSpec> windows,
                            const std::string& policy_header, std::vector<http::Header>& out);

// 429 problem+json naming the refusing windows in `violated-policies`.
http::Response TooManyRequests(const Decision& decision, std::span<const WindowSpec> windows,
                               std::string_view instance);

}  // namespace vf::ratelimit
