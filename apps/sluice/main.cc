// sluice: command-line client for Sluice (and any Kafka-compatible broker).
#include <CLI/CLI.hpp>
#include <exception>
#include <string>

#include "command.h"
#include "errors.h"
#include "global_options.h"
#include "output_format.h"

namespace sluice::cli {
// `sluice group ...` (group_commands.cc).
void add_group_commands(CLI::App& app, const GlobalOptions& global, Action& action);
// `sluice txn ...` (txn_commands.cc).
void add_txn_commands(CLI::App& app, const GlobalOptions& global, Action& action);
}  // namespace sluice::cli

int main(int argc, char** argv) {
  using namespace sluice::cli;

  GlobalOptions global;
  Action action;

  CLI::App app("sluice: command-line client for the Sluice message broker", "sluice");
  // Let global options also follow the subcommand: `sluice topic list --bootstrap h:p`.
  app.fallthrough();
  app.require_subcommand(1);
  app.failure_message([](const CLI::App* /*app*/, const CLI::Error& e) {
    return std::string("sluice: error: ") + e.what() + "\nRun with --help for more information.\n";
  });
  app.add_option("-b,--bootstrap", global.bootstrap, "Broker address HOST:PORT")
      ->capture_default_str();
  app.add_option("--timeout-ms", global.timeout_ms, "Timeout for broker requests in ms")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600 * 1000));
  app.add_flag("-v,--verbose", global.verbose, "Show librdkafka logs and transient errors");

  add_topic_commands(app, global, action);
  add_produce_command(app, global, action);
  add_consume_command(app, global, action);
  add_group_commands(app, global, action);
  add_txn_commands(app, global, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // Prints help or the parse error.
    return code == 0 ? kExitOk : kExitUsage;
  }

  try {
    if (action) action();
    return kExitOk;
  } catch (const UsageError& e) {
    print_error(std::string(e.what()) + "\nRun with --help for more information.");
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}
