// How command modules plug into main: each registers its CLI11 subcommands and, when one of them
// is selected on the command line, stores the work to do in `action` (run after parsing, so that
// parse errors and operation errors stay apart).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>

namespace sluice::cli {

struct GlobalOptions;

using Action = std::function<void()>;

// Registers `sub` so that selecting it stores run(*opts, global) in `action`.
template <typename Options, typename Run>
void bind(CLI::App* sub, std::shared_ptr<Options> opts, const GlobalOptions& global, Action& action,
          Run run) {
  sub->callback(
      [opts, &global, &action, run] { action = [opts, &global, run] { run(*opts, global); }; });
}

void add_topic_commands(CLI::App& app, const GlobalOptions& global, Action& action);
void add_produce_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_consume_command(CLI::App& app, const GlobalOptions& global, Action& action);

}  // namespace sluice::cli
