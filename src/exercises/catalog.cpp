#include "exercises/catalog.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/text.hpp"

namespace vf::exercises {

using nlohmann::json;

namespace {

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

std::string String(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Catalog Catalog::FromJson(const std::string& text) {
  json doc = json::parse(text);
  Catalog c;
  c.version_ = String(doc, "version");
  for (const auto& e : doc.at("exercises")) {
    Exercise x;
    x.id = e.at("id").get<std::string>();
    x.name = e.at("name").get<std::string>();
    x.aliases = Strings(e, "aliases");
    x.pattern = String(e, "pattern");
    x.equipment = String(e, "equipment");
    x.primary_muscles = Strings(e, "primary_muscles");
    x.secondary_muscles = Strings(e, "secondary_muscles");
    x.category = String(e, "category");
    x.bodyweight = e.value("bodyweight", false);
    x.joints = Strings(e, "joints");
    if (!c.by_id_.emplace(x.id, c.exercises_.size()).second) {
      throw std::runtime_error("duplicate exercise id " + x.id);
    }
    c.exercises_.push_back(std::move(x));
  }
  if (auto it = doc.find("defaults"); it != doc.end() && it->is_object()) {
    for (const auto& [word, id] : it->items()) {
      if (!c.Find(id.get<std::string>()))
        throw std::runtime_error("default to unknown id " + id.dump());
      c.defaults_[word] = id.get<std::string>();
    }
  }
  return c;
}

Catalog Catalog::Load(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) throw std::runtime_error("exercise catalog: cannot open " + path);
  try {
    return FromJson(*text);
  } catch (const std::exception& e) {
    throw std::runtime_error("exercise catalog " + path + ": " + e.what());
  }
}

const Exercise* Catalog::Find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &exercises_[it->second];
}

}  // namespace vf::exercises
