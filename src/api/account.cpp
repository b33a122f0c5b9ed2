// DELETE /api/me: account deletion. Removes every record of the caller in one transaction.

#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "store/repositories.hpp"

namespace vf::api {

using nlohmann::json;

void AddAccountRoutes(http::Router& router, const ApiDeps& deps) {
  store::Store* store = &deps.store;
  auto changed = deps.user_data_changed;
  json count{{"type", "integer"}};
  router.Add({.method = "DELETE",
              .path = "/api/me",
              .handler =
                  [store, changed](http::RequestContext& ctx) {
                    const auto& user = ctx.User();
                    auto n = store->DeleteUserData(user.user_id);
                    if (changed) changed(user.user_id);
                    return JsonResponse(200, {{"user_id", user.user_id},
                                              {"deleted",
                                               {{"profiles", n.profiles},
                                                {"workouts", n.workouts},
                                                {"runs", n.runs},
                                                {"injuries", n.injuries},
                                                {"programs", n.programs},
                                                {"onboarding_sessions", n.onboarding_sessions}}}});
                  },
              .doc = {.operation_id = "deleteAccount",
                      .summary = "Delete every record of the caller",
                      .tag = "account",
                      .response_schema = {{"type", "object"},
                                          {"required", {"user_id", "deleted"}},
                                          {"properties",
                                           {{"user_id", {{"type", "string"}}},
                                            {"deleted",
                                             {{"type", "object"},
                                              {"properties",
                                               {{"profiles", count},
                                                {"workouts", count},
                                                {"runs", count},
                                                {"injuries", count},
                                                {"programs", count},
                                                {"onboarding_sessions", count}}}}}}}}}});
}

}  // namespace vf::api
