#include "sluice/storage/checkpoint_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <string>

#include "file_util.h"

namespace sluice::storage {
namespace {

constexpr int64_t kCheckpointVersion = 0;

// Splits text into lines; a final line without '\n' is kept (and rejected by the parser
// below only if it is malformed).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      lines.push_back(text);
      break;
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::optional<std::vector<int64_t>> parse_ints(std::string_view line) {
  std::vector<int64_t> out;
  while (!line.empty()) {
    if (line.front() == ' ') {
      line.remove_prefix(1);
      continue;
    }
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
    if (ec != std::errc() || (ptr != line.data() + line.size() && *ptr != ' ')) return std::nullopt;
    out.push_back(v);
    line.remove_prefix(static_cast<size_t>(ptr - line.data()));
  }
  return out;
}

}  // namespace

bool write_file_atomically(const std::filesystem::path& path, std::string_view data) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = pwrite_all(fd, data.data(), data.size(), 0) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  return fsync_dir(path.parent_path());
}

bool write_checkpoint(const std::filesystem::path& path, const CheckpointEntries& entries) {
  std::string text =
      std::to_string(kCheckpointVersion) + "\n" + std::to_string(entries.size()) + "\n";
  for (const auto& e : entries) {
    for (size_t i = 0; i < e.size(); ++i) {
      if (i) text += ' ';
      text += std::to_string(e[i]);
    }
    text += '\n';
  }
  return write_file_atomically(path, text);
}

std::optional<CheckpointEntries> read_checkpoint(const std::filesystem::path& path,
                                                 size_t fields_per_line) {
  std::string text;
  if (!read_whole_file(path, text)) return std::nullopt;
  auto lines = split_lines(text);
  if (lines.size() < 2) return std::nullopt;
  auto version = parse_ints(lines[0]);
  auto count = parse_ints(lines[1]);
  if (!version || version->size() != 1 || (*version)[0] != kCheckpointVersion) return std::nullopt;
  if (!count || count->size() != 1 || (*count)[0] < 0 ||
      static_cast<size_t>((*count)[0]) != lines.size() - 2)
    return std::nullopt;
  CheckpointEntries entries;
  for (size_t i = 2; i < lines.size(); ++i) {
    auto v = parse_ints(lines[i]);
    if (!v || v->size() != fields_per_line) return std::nullopt;
    entries.push_back(std::move(*v));
  }
  return entries;
}

bool write_offset_checkpoint(const std::filesystem::path& path, int64_t offset) {
  return write_checkpoint(path, {{offset}});
}

std::optional<int64_t> read_offset_checkpoint(const std::filesystem::path& path) {
  auto e = read_checkpoint(path, 1);
  if (!e || e->size() != 1 || (*e)[0][0] < 0) return std::nullopt;
  return (*e)[0][0];
}

}  // namespace sluice::storage
