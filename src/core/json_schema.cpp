#include "core/json_schema.hpp"
#include <algorithm>

#include <cmath>
#include <string>

#include "core/time.hpp"

namespace vf {
namespace {

using nlohmann::json;

bool HasType(const json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    if (v.is_number_float()) {
      double d = v.get<double>();
      return std::isfinite(d) && std::floor(d) == d;
    }
  }
  return false;
}

std::string Describe(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
  return "a number";
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string NumberText(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  std::string s = std::to_string(d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

// Counts UTF-8 code points, as JSON Schema's minLength/maxLength do.
size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class Validator {
 public:
  std::vector<FieldError> errors;

  void Check(const json& v, const json& s, const std::string& path) {
    if (!s.is_object()) return;
    const std::string where = path.empty() ? "body" : path;
    if (auto t = s.find("type"); t != s.end()) {
      bool ok = false;
      std::string wanted;
      if (t->is_string()) {
        ok = HasType(v, t->get<std::string>());
        wanted = t->get<std::string>();
      } else if (t->is_array()) {
        for (const auto& one : *t) {
          ok = ok || HasType(v, one.get<std::string>());
          wanted += (wanted.empty() ? "" : " or ") + one.get<std::string>();
        }
      }
      if (!ok) {
        errors.push_back({where, "must be " + Article(wanted) + ", not " + Describe(v)});
        return;  // further keywords would only repeat the same mistake
      }
    }
    if (auto e = s.find("enum"); e != s.end()) {
      bool found = false;
      std::string allowed;
      for (const auto& option : *e) {
        found = found || option == v;
        allowed += (allowed.empty() ? "" : ", ") + option.dump();
      }
      if (!found) errors.push_back({where, "must be one of " + allowed});
    }
    if (v.is_number()) CheckNumber(v.get<double>(), s, where);
    if (v.is_string()) CheckString(v.get<std::string>(), s, where);
    if (v.is_array()) CheckArray(v, s, path, where);
    if (v.is_object()) CheckObject(v, s, path);
  }

 private:
  static std::string Article(const std::string& type) {
    if (type.find(" or ") != std::string::npos) return type;
    bool vowel = !type.empty() && std::string("aeiou").find(type[0]) != std::string::npos;
    return (vowel ? "an " : "a ") + type;
  }

  void CheckNumber(double d, const json& s, const std::string& where) {
    if (!std::isfinite(d)) errors.push_back({where, "must be a finite number"});
    if (auto m = s.find("minimum"); m != s.end() && d < m->get<double>()) {
      errors.push_back({where, "must be at least " + NumberText(m->get<double>())});
    }
    if (auto m = s.find("maximum"); m != s.end() && d > m->get<double>()) {
      errors.push_back({where, "must be at most " + NumberText(m->get<double>())});
    }
    if (auto m = s.find("exclusiveMinimum"); m != s.end() && d <= m->get<double>()) {
      errors.push_back({where, "must be greater than " + NumberText(m->get<double>())});
    }
    if (auto m = s.find("exclusiveMaximum"); m != s.end() && d >= m->get<double>()) {
      errors.push_back({where, "must be less than " + NumberText(m->get<double>())});
    }
  }

  void CheckString(const std::string& str, const json& s, const std::string& where) {
    size_t n = CodePoints(str);
    if (auto m = s.find("minLength"); m != s.end() && n < m->get<size_t>()) {
      errors.push_back(
          {where, m->get<size_t>() == 1
                      ? std::string("must not be empty")
                      : "must be at least " + std::to_string(m->get<size_t>()) + " characters"});
    }
    if (auto m = s.find("maxLength"); m != s.end() && n > m->get<size_t>()) {
      errors.push_back(
          {where, "must be at most " + std::to_string(m->get<size_t>()) + " characters"});
    }
    if (auto f = s.find("format"); f != s.end()) {
      const auto& format = f->get_ref<const std::string&>();
      bool ok = true;
      if (format == "date-time") ok = str.size() > 10 && ParseRfc3339(str).has_value();
      if (format == "date") ok = str.size() == 10 && ParseRfc3339(str).has_value();
      if (!ok) errors.push_back({where, "must be an RFC 3339 " + format});
    }
  }

  void CheckArray(const json& v, const json& s, const std::string& path, const std::string& where) {
    if (auto m = s.find("minItems"); m != s.end() && v.size() < m->get<size_t>()) {
      errors.push_back({where, "must have at least " + std::to_string(m->get<size_t>()) +
                                   (m->get<size_t>() == 1 ? " item" : " items")});
    }
    if (auto m = s.find("maxItems"); m != s.end() && v.size() > m->get<size_t>()) {
      errors.push_back({where, "must have at most " + std::to_string(m->get<size_t>()) + " items"});
      return;  // don't report on each of thousands of items
    }
    if (auto u = s.find("uniqueItems"); u != s.end() && u->is_boolean() && u->get<bool>()) {
      for (size_t i = 1; i < v.size(); ++i) {
        if (std::find(v.begin(), v.begin() + static_cast<long>(i), v[i]) !=
            v.begin() + static_cast<long>(i)) {
          errors.push_back({where, "must not repeat an item"});
          break;
        }
      }
    }
    if (auto items = s.find("items"); items != s.end()) {
      for (size_t i = 0; i < v.size() && errors.size() < kMaxErrors; ++i) {
        Check(v[i], *items, path + "[" + std::to_string(i) + "]");
      }
    }
  }

  void CheckObject(const json& v, const json& s, const std::string& path) {
    const json* props = nullptr;
    if (auto p = s.find("properties"); p != s.end()) props = &*p;
    if (auto r = s.find("required"); r != s.end()) {
      for (const auto& name : *r) {
        const auto& key = name.get_ref<const std::string&>();
        if (!v.contains(key)) errors.push_back({Join(path, key), "is required"});
      }
    }
    bool closed = false;
    if (auto a = s.find("additionalProperties"); a != s.end() && a->is_boolean()) {
      closed = !a->get<bool>();
    }
    for (const auto& [key, value] : v.items()) {
      if (errors.size() >= kMaxErrors) return;
      if (props != nullptr && props->contains(key)) {
        Check(value, (*props)[key], Join(path, key));
      } else if (closed) {
        errors.push_back({Join(path, key), "is not a known field"});
      }
    }
  }

  static constexpr size_t kMaxErrors = 50;
};

}  // namespace

std::vector<FieldError> ValidateJson(const nlohmann::json& value, const nlohmann::json& schema) {
  Validator v;
  v.Check(value, schema, "");
  return std::move(v.errors);
}

}  // namespace vf
