#include "http/router.hpp"

#include <gtest/gtest.h>

namespace vf::http {
namespace {

Route Make(std::string method, std::string path) {
  Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.handler = [](RequestContext&) { return Response{}; };
  return r;
}

TEST(Router, FindsStaticRoute) {
  Router router;
  router.Add(Make("GET", "/api/profile"));
  auto m = router.Find("GET", "/api/profile");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->path, "/api/profile");
  EXPECT_TRUE(m.allow.empty());
}

TEST(Router, UnknownPathIsNotFoundWithoutAllow) {
  Router router;
  router.Add(Make("GET", "/api/profile"));
  auto m = router.Find("GET", "/api/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allow.empty());
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router router;
  router.Add(Make("GET", "/api/profile"));
  router.Add(Make("PUT", "/api/profile"));
  auto m = router.Find("DELETE", "/api/profile");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allow, "GET, PUT");
}

TEST(Router, TemplateCapturesParameters) {
  Router router;
  router.Add(Make("GET", "/api/workouts/{workout_id}/sets/{n}"));
  auto m = router.Find("GET", "/api/workouts/abc-1/sets/3");
  ASSERT_NE(m.route, nullptr);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].first, "workout_id");
  EXPECT_EQ(m.params[0].second, "abc-1");
  EXPECT_EQ(m.params[1].second, "3");
  EXPECT_EQ(router.Find("GET", "/api/workouts/abc-1/sets").route, nullptr);
  EXPECT_EQ(router.Find("GET", "/api/workouts/abc-1/reps/3").route, nullptr);
}

TEST(Router, StaticRouteAndTemplateOnSamePathShareAllow) {
  Router router;
  router.Add(Make("GET", "/api/items/{id}"));
  router.Add(Make("DELETE", "/api/items/{id}"));
  auto m = router.Find("POST", "/api/items/7");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allow, "GET, DELETE");
}

TEST(Router, TrailingSlashIsIgnored) {
  Router router;
  router.Add(Make("GET", "/api/profile"));
  EXPECT_NE(router.Find("GET", "/api/profile/").route, nullptr);
}

TEST(Router, RejectsDuplicatesAndBadTemplates) {
  Router router;
  router.Add(Make("GET", "/a"));
  EXPECT_THROW(router.Add(Make("GET", "/a")), std::invalid_argument);
  EXPECT_THROW(router.Add(Make("GET", "no-slash")), std::invalid_argument);
  EXPECT_THROW(router.Add(Make("GET", "/a/{unclosed")), std::invalid_argument);
}

TEST(Router, MethodIsCaseSensitive) {
  Router router;
  router.Add(Make("GET", "/a"));
  auto m = router.Find("get", "/a");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allow, "GET");
}

}  // namespace
}  // namespace vf::http
