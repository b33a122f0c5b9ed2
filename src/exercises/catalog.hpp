#pragma once
// The exercise catalog (data/exercises.json, built by tools/catalog from public-domain facts plus
// the project's aliases, movement patterns and joint tags). Loaded once, read-only after.

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace vf::exercises {

struct Exercise {
  std::string id;  // stable: derived from the source facts' id
  std::string name;
  std::vector<std::string> aliases;
  std::string pattern;  // squat, hinge, lunge, horizontal_push, ..., isolation_<muscle>
  std::string equipment;
  std::vector<std::string> primary_muscles, secondary_muscles;
  std::string category;
  bool bodyweight = false;
  std::vector<std::string> joints;
};

class Catalog {
 public:
  // Throws std::runtime_error naming the file on anything malformed.
  static Catalog Load(const std::string& path);
  static Catalog FromJson(const std::string& text);

  const std::vector<Exercise>& exercises() const { return exercises_; }
  const Exercise* Find(std::string_view id) const;
  // What an unqualified spoken name means ("bench" -> barbell bench press).
  const std::unordered_map<std::string, std::string>& defaults() const { return defaults_; }
  const std::string& version() const { return version_; }

 private:
  std::vector<Exercise> exercises_;
  std::unordered_map<std::string, std::size_t> by_id_;
  std::unordered_map<std::string, std::string> defaults_;
  std::string version_;
};

}  // namespace vf::exercises
