#pragma once
// Who is calling: derived from a verified access token only (never from user-writable claims).

#include <string>
#include <string_view>

namespace vf {

enum class Tier { kFree, kPremium, kAdmin };

std::string_view TierName(Tier tier);

struct Principal {
  std::string user_id;  // the token's `sub`
  Tier tier = Tier::kFree;
  std::string role;  // `authenticated`, `service_role`, ...
  bool is_admin() const { return tier == Tier::kAdmin; }
};

inline std::string_view TierName(Tier tier) {
  switch (tier) {
    case Tier::kFree:
      return "free";
    case Tier::kPremium:
      return "premium";
    case Tier::kAdmin:
      return "admin";
  }
  return "free";
}

}  // namespace vf
