// Error types of the sluice CLI and the exit codes they map to.
#pragma once

#include <stdexcept>
#include <string>

namespace sluice::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // The broker or the operation failed.
inline constexpr int kExitUsage = 2;    // The command line was wrong.

// A failure of the operation itself (broker error, timeout, missing topic...): exit code 1.
class CliError : public std::runtime_error {
 public:
  explicit CliError(const std::string& what) : std::runtime_error(what) {}
};

// A bad command line that the parser could not catch (e.g. a malformed --from value): exit code 2.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace sluice::cli
