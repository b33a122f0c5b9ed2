// ValidateJson, keyword by keyword, plus the reporting rules (paths, stop-on-type, collect-all).

#include "core/json_schema.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vf {
namespace {

using nlohmann::json;

std::vector<FieldError> Validate(const json& value, const json& schema) {
  return ValidateJson(value, schema);
}

bool Valid(const json& value, const json& schema) { return Validate(value, schema).empty(); }

// The fields named by the errors, in report order.
std::vector<std::string> Fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

TEST(JsonSchemaType, AcceptsMatchingTypes) {
  EXPECT_TRUE(Valid("x", {{"type", "string"}}));
  EXPECT_TRUE(Valid(true, {{"type", "boolean"}}));
  EXPECT_TRUE(Valid(nullptr, {{"type", "null"}}));
  EXPECT_TRUE(Valid(json::object(), {{"type", "object"}}));
  EXPECT_TRUE(Valid(json::array(), {{"type", "array"}}));
  EXPECT_TRUE(Valid(2.5, {{"type", "number"}}));
  EXPECT_TRUE(Valid(2, {{"type", "number"}}));
}

TEST(JsonSchemaType, RejectsMismatchAtRootAsBody) {
  auto errors = Validate(3, {{"type", "string"}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "body");
  EXPECT_EQ(errors[0].message, "must be a string, not an integer");
}

TEST(JsonSchemaType, IntegerAcceptsWholeFloatButNotFraction) {
  EXPECT_TRUE(Valid(3, {{"type", "integer"}}));
  EXPECT_TRUE(Valid(json::parse("3.0"), {{"type", "integer"}}));
  EXPECT_TRUE(Valid(json::parse("-0.0"), {{"type", "integer"}}));
  EXPECT_FALSE(Valid(json::parse("3.5"), {{"type", "integer"}}));
  EXPECT_FALSE(Valid("3", {{"type", "integer"}}));
}

TEST(JsonSchemaType, BooleanIsNotANumber) {
  EXPECT_FALSE(Valid(true, {{"type", "number"}}));
  EXPECT_FALSE(Valid(true, {{"type", "integer"}}));
}

TEST(JsonSchemaType, TypeListAcceptsAnyListedType) {
  json schema{{"type", {"string", "null"}}};
  EXPECT_TRUE(Valid("x", schema));
  EXPECT_TRUE(Valid(nullptr, schema));
  auto errors = Validate(5, schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("string or null"), std::string::npos) << errors[0].message;
}

TEST(JsonSchemaRequired, ReportsEachMissingProperty) {
  json schema{{"type", "object"}, {"required", {"name", "age"}}};
  EXPECT_TRUE(Valid({{"name", "a"}, {"age", 3}}, schema));
  auto errors = Validate({{"name", "a"}}, schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "age");
  EXPECT_EQ(errors[0].message, "is required");
  EXPECT_EQ(Fields(Validate(json::object(), schema)), (std::vector<std::string>{"name", "age"}));
}

TEST(JsonSchemaRequired, NullCountsAsPresent) {
  // "required" is about presence; whether null is allowed is the property's type's business.
  EXPECT_TRUE(Valid({{"name", nullptr}}, {{"required", {"name"}}}));
}

TEST(JsonSchemaProperties, NestedPathsUseDots) {
  json schema{{"type", "object"},
              {"properties",
               {{"a",
                 {{"type", "object"},
                  {"required", {"c"}},
                  {"properties", {{"b", {{"type", "integer"}}}}}}}}}};
  auto errors = Validate({{"a", {{"b", "x"}}}}, schema);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"a.c", "a.b"}));
  EXPECT_TRUE(Valid({{"a", {{"b", 1}, {"c", 0}}}}, schema));
}

TEST(JsonSchemaProperties, PropertiesWithoutSchemaEntryAreAllowedByDefault) {
  json schema{{"type", "object"}, {"properties", {{"a", {{"type", "integer"}}}}}};
  EXPECT_TRUE(Valid({{"a", 1}, {"other", "x"}}, schema));
}

TEST(JsonSchemaItems, PathsIndexIntoArrays) {
  json schema{{"type", "object"},
              {"properties",
               {{"sets",
                 {{"type", "array"},
                  {"items",
                   {{"type", "object"},
                    {"properties", {{"reps", {{"type", "integer"}, {"minimum", 1}}}}}}}}}}}};
  json doc{{"sets", {{{"reps", 5}}, {{"reps", 3}}, {{"reps", 0}}}}};
  auto errors = Validate(doc, schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "sets[2].reps");
  EXPECT_EQ(errors[0].message, "must be at least 1");
}

TEST(JsonSchemaItems, ArrayElementTypeMismatchNamesIndex) {
  json schema{{"type", "object"},
              {"properties", {{"goals", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}};
  auto errors = Validate({{"goals", {"strength", 7}}}, schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "goals[1]");
}

TEST(JsonSchemaAdditionalProperties, FalseNamesTheUnknownField) {
  json schema{{"type", "object"},
              {"additionalProperties", false},
              {"properties", {{"name", {{"type", "string"}}}}}};
  EXPECT_TRUE(Valid({{"name", "a"}}, schema));
  auto errors = Validate({{"name", "a"}, {"nmae", "b"}}, schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "nmae");
  EXPECT_EQ(errors[0].message, "is not a known field");
}

TEST(JsonSchemaAdditionalProperties, NestedUnknownFieldHasFullPath) {
  json schema{{"type", "object"},
              {"properties",
               {{"running",
                 {{"type", "object"},
                  {"additionalProperties", false},
                  {"properties", {{"weekly_km", {{"type", "number"}}}}}}}}}};
  auto errors = Validate({{"running", {{"weekly_km", 20}, {"weekly_mi", 12}}}}, schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "running.weekly_mi");
}

TEST(JsonSchemaAdditionalProperties, TrueAllowsUnknownFields) {
  json schema{{"type", "object"}, {"additionalProperties", true}, {"properties", json::object()}};
  EXPECT_TRUE(Valid({{"anything", 1}}, schema));
}

TEST(JsonSchemaNumbers, MinimumAndMaximumAreInclusive) {
  json schema{{"type", "number"}, {"minimum", 1}, {"maximum", 10}};
  EXPECT_TRUE(Valid(1, schema));
  EXPECT_TRUE(Valid(10, schema));
  EXPECT_TRUE(Valid(5.5, schema));
  auto low = Validate(0.5, schema);
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].message, "must be at least 1");
  auto high = Validate(11, schema);
  ASSERT_EQ(high.size(), 1u);
  EXPECT_EQ(high[0].message, "must be at most 10");
}

TEST(JsonSchemaNumbers, ExclusiveBoundsRejectTheBoundItself) {
  json schema{{"type", "number"}, {"exclusiveMinimum", 0}, {"exclusiveMaximum", 2.5}};
  EXPECT_TRUE(Valid(0.001, schema));
  EXPECT_TRUE(Valid(2.499, schema));
  auto at_min = Validate(0, schema);
  ASSERT_EQ(at_min.size(), 1u);
  EXPECT_EQ(at_min[0].message, "must be greater than 0");
  auto at_max = Validate(2.5, schema);
  ASSERT_EQ(at_max.size(), 1u);
  EXPECT_EQ(at_max[0].message, "must be less than 2.5");
}

TEST(JsonSchemaNumbers, BoundsApplyToIntegersAndUnsigned) {
  json schema{{"type", "integer"}, {"maximum", 100}};
  EXPECT_FALSE(Valid(json(static_cast<unsigned>(101)), schema));
  EXPECT_FALSE(Valid(json(static_cast<long long>(1) << 40), schema));
  EXPECT_TRUE(Valid(json(static_cast<unsigned>(100)), schema));
}

TEST(JsonSchemaStrings, LengthCountsCodePointsNotBytes) {
  const std::string three = "\xC3\xA9\xC3\xA9\xC3\xA9";  // "ééé": 3 code points, 6 bytes
  EXPECT_TRUE(Valid(three, {{"type", "string"}, {"minLength", 3}, {"maxLength", 3}}));
  EXPECT_FALSE(Valid(three, {{"type", "string"}, {"maxLength", 2}}));
  EXPECT_FALSE(Valid(three, {{"type", "string"}, {"minLength", 4}}));
  // A 4-byte code point counts once too.
  EXPECT_TRUE(Valid("\xF0\x9F\x8F\x8B", {{"type", "string"}, {"maxLength", 1}}));
}

TEST(JsonSchemaStrings, LengthMessages) {
  auto empty = Validate("", {{"type", "string"}, {"minLength", 1}});
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].message, "must not be empty");
  auto short_text = Validate("ab", {{"type", "string"}, {"minLength", 3}});
  ASSERT_EQ(short_text.size(), 1u);
  EXPECT_EQ(short_text[0].message, "must be at least 3 characters");
  auto long_text = Validate("abcd", {{"type", "string"}, {"maxLength", 3}});
  ASSERT_EQ(long_text.size(), 1u);
  EXPECT_EQ(long_text[0].message, "must be at most 3 characters");
}

TEST(JsonSchemaEnum, AcceptsOnlyListedValues) {
  json schema{{"type", "string"}, {"enum", {"kg", "lb"}}};
  EXPECT_TRUE(Valid("kg", schema));
  EXPECT_TRUE(Valid("lb", schema));
  auto errors = Validate("stone", schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, R"(must be one of "kg", "lb")");
}

TEST(JsonSchemaEnum, ComparesNumbersByValue) {
  json schema{{"enum", {1, 2, 3}}};
  EXPECT_TRUE(Valid(2, schema));
  EXPECT_TRUE(Valid(2.0, schema));
  EXPECT_FALSE(Valid(4, schema));
  EXPECT_FALSE(Valid("2", schema));
}

TEST(JsonSchemaArrays, MinItemsAndMaxItems) {
  json schema{{"type", "array"}, {"minItems", 1}, {"maxItems", 3}};
  EXPECT_TRUE(Valid({1}, schema));
  EXPECT_TRUE(Valid({1, 2, 3}, schema));
  auto empty = Validate(json::array(), schema);
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].message, "must have at least 1 item");
  auto many = Validate({1, 2, 3, 4}, schema);
  ASSERT_EQ(many.size(), 1u);
  EXPECT_EQ(many[0].message, "must have at most 3 items");
}

TEST(JsonSchemaArrays, UniqueItems) {
  json schema{{"type", "array"}, {"uniqueItems", true}};
  EXPECT_TRUE(Valid({"a", "b"}, schema));
  EXPECT_TRUE(Valid({1, "1"}, schema));
  auto repeated = Validate({"a", "b", "a"}, schema);
  ASSERT_EQ(repeated.size(), 1u);
  EXPECT_EQ(repeated[0].message, "must not repeat an item");
  EXPECT_TRUE(Valid({"a", "a"}, {{"type", "array"}, {"uniqueItems", false}}));
}

TEST(JsonSchemaArrays, TooManyItemsAreNotEachChecked) {
  // One error for the whole oversized array, not one per bad item.
  json schema{{"type", "array"}, {"maxItems", 2}, {"items", {{"type", "string"}}}};
  EXPECT_EQ(Validate({1, 2, 3, 4, 5}, schema).size(), 1u);
}

TEST(JsonSchemaFormat, DateTimeRequiresFullRfc3339Timestamp) {
  json schema{{"type", "string"}, {"format", "date-time"}};
  EXPECT_TRUE(Valid("2026-11-26T06:07:19Z", schema));
  EXPECT_TRUE(Valid("2026-11-26T06:07:19.250+02:00", schema));
  EXPECT_FALSE(Valid("2026-11-26", schema));
  EXPECT_FALSE(Valid("2026-11-26T06:07:19", schema));
  EXPECT_FALSE(Valid("yesterday", schema));
  auto errors = Validate("2026-02-30T00:00:00Z", schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "must be an RFC 3339 date-time");
}

TEST(JsonSchemaFormat, DateRequiresFullDateOnly) {
  json schema{{"type", "string"}, {"format", "date"}};
  EXPECT_TRUE(Valid("2024-02-29", schema));
  EXPECT_FALSE(Valid("2023-02-29", schema));
  EXPECT_FALSE(Valid("2026-11-26T06:07:19Z", schema));
  EXPECT_FALSE(Valid("26-11-2026", schema));
}

TEST(JsonSchemaFormat, UnknownFormatIsIgnored) {
  EXPECT_TRUE(Valid("not an email", {{"type", "string"}, {"format", "email"}}));
}

TEST(JsonSchema, UnknownKeywordsAreIgnored) {
  EXPECT_TRUE(Valid("y", {{"type", "string"}, {"pattern", "^x$"}, {"description", "d"}}));
}

TEST(JsonSchema, TypeMismatchReportsOneErrorAndStops) {
  // The other keywords cannot apply to a value of the wrong type; repeating them would be noise.
  json schema{{"type", "string"}, {"minLength", 5}, {"enum", {"abcdef"}}, {"format", "date"}};
  EXPECT_EQ(Validate(42, schema).size(), 1u);
  json object_schema{{"type", "object"}, {"required", {"a", "b"}}, {"additionalProperties", false}};
  auto errors = Validate(json::array({1, 2}), object_schema);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "must be an object, not an array");
}

TEST(JsonSchema, CollectsSeveralErrorsInOnePass) {
  json schema{{"type", "object"},
              {"additionalProperties", false},
              {"required", {"performed_at", "sets"}},
              {"properties",
               {{"performed_at", {{"type", "string"}, {"format", "date-time"}}},
                {"source", {{"type", "string"}, {"enum", {"manual", "voice"}}}},
                {"sets",
                 {{"type", "array"},
                  {"items",
                   {{"type", "object"},
                    {"required", {"exercise"}},
                    {"properties",
                     {{"exercise", {{"type", "string"}, {"minLength", 1}}},
                      {"reps", {{"type", "integer"}, {"minimum", 1}}}}}}}}}}}};
  json doc{{"source", "telepathy"},
           {"sets", {{{"exercise", "squat"}, {"reps", 0}}, {{"reps", 2.5}}}},
           {"extra", true}};
  auto errors = Validate(doc, schema);
  std::vector<std::string> fields = Fields(errors);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"extra", "performed_at", "sets[0].reps",
                                              "sets[1].exercise", "sets[1].reps", "source"}));
}

TEST(JsonSchema, ValidDocumentHasNoErrors) {
  json schema{
      {"type", "object"},
      {"additionalProperties", false},
      {"required", {"performed_at", "sets"}},
      {"properties",
       {{"performed_at", {{"type", "string"}, {"format", "date-time"}}},
        {"note", {{"type", {"string", "null"}}, {"maxLength", 200}}},
        {"sets",
         {{"type", "array"},
          {"minItems", 1},
          {"maxItems", 100},
          {"items",
           {{"type", "object"},
            {"additionalProperties", false},
            {"required", {"exercise"}},
            {"properties",
             {{"exercise", {{"type", "string"}, {"minLength", 1}, {"maxLength", 100}}},
              {"reps", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}},
              {"weight_kg", {{"type", "number"}, {"minimum", 0}}},
              {"rpe", {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 10}}}}}}}}}}}};
  json doc{{"performed_at", "2026-11-26T06:07:19Z"},
           {"note", nullptr},
           {"sets",
            {{{"exercise", "Back squat"}, {"reps", 5}, {"weight_kg", 100.5}, {"rpe", 8}},
             {{"exercise", "Bench press"}, {"reps", 8.0}}}}};
  auto errors = Validate(doc, schema);
  EXPECT_TRUE(errors.empty()) << errors.front().field << ": " << errors.front().message;
}

TEST(JsonSchema, NonObjectSchemaAcceptsAnything) {
  EXPECT_TRUE(Valid(json::array({1, "x"}), json(true)));
  EXPECT_TRUE(Valid("x", json::object()));
}

}  // namespace
}  // namespace vf
