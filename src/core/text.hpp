#pragma once
// Small text and file helpers every layer needs: ASCII trimming and lowercasing, whole-file reads.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace vf {

// Without leading and trailing spaces, tabs and carriage returns.
std::string_view Trim(std::string_view s);
// ASCII letters lowercased; other bytes (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view s);
// The file's bytes, or nullopt when it cannot be opened.
std::optional<std::string> ReadFile(const std::filesystem::path& path);

}  // namespace vf
