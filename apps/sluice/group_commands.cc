// `sluice group list|describe|delete|reset-offsets`: consumer groups, committed offsets and lag.
//
// Everything goes through the librdkafka Admin API (ListConsumerGroups, DescribeConsumerGroups,
// DeleteGroups, ListConsumerGroupOffsets, AlterConsumerGroupOffsets) plus ListOffsets for the
// log end offsets (rd_kafka_query_watermark_offsets) and timestamps (rd_kafka_offsets_for_times).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "admin_client.h"
#include "command.h"
#include "errors.h"
#include "global_options.h"
#include "kafka_handles.h"
#include "output_format.h"

namespace sluice::cli {

// Registered from main.cc.
void add_group_commands(CLI::App& app, const GlobalOptions& global, Action& action);

namespace {

// Extra time to wait for an admin result event beyond the request timeout librdkafka enforces.
constexpr int kResultGraceMs = 2000;

using TopicPartition = std::pair<std::string, int32_t>;

struct ErrorDeleter {
  void operator()(rd_kafka_error_t* p) const { rd_kafka_error_destroy(p); }
};
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;

std::string error_text(const rd_kafka_error_t* error) {
  const char* msg = rd_kafka_error_string(error);
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  return std::string(msg != nullptr && *msg != '\0' ? msg : rd_kafka_err2str(code)) + " (" +
         rd_kafka_err2name(code) + ")";
}

bool is_timeout(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
}

// "<what>: <error>", naming the broker address when the error is a timeout or transport failure.
std::string failure(const std::string& what, const rd_kafka_error_t* error,
                    const GlobalOptions& global) {
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  if (is_timeout(code)) return describe_error(code, what, global);
  return what + ": " + error_text(error);
}

std::string error_text(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2str(err)) + " (" + rd_kafka_err2name(err) + ")";
}

// --- shared queries -------------------------------------------------------------------------

struct MemberInfo {
  std::string member_id;
  std::string instance_id;  // Empty when the member is not static.
  std::string client_id;
  std::string host;
  std::vector<TopicPartition> assignment;  // Sorted.
};

struct GroupInfo {
  std::string group;
  rd_kafka_consumer_group_state_t state = RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
  std::string assignor;  // The selected protocol ("range", "cooperative-sticky", ...).
  bool simple = false;   // Empty protocol type: offsets only, no members (standalone consumers).
  int coordinator = -1;
  std::vector<MemberInfo> members;
};

std::string state_name(rd_kafka_consumer_group_state_t state) {
  return rd_kafka_consumer_group_state_name(state);
}

GroupInfo describe_group(AdminClient& admin, const std::string& group) {
  const std::string what = "cannot describe group '" + group + "'";
  AdminOptionsPtr options = admin.make_options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, false);
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(admin.handle(), groups, 1, options.get(), admin.queue());
  EventPtr ev = admin.wait_result(what);
  size_t count = 0;
  const rd_kafka_ConsumerGroupDescription_t** descs = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &count);
  if (count != 1) {
    throw CliError(what + ": broker returned " + std::to_string(count) + " descriptions");
  }
  const rd_kafka_ConsumerGroupDescription_t* d = descs[0];
  GroupInfo info;
  if (const rd_kafka_error_t* error = rd_kafka_ConsumerGroupDescription_error(d)) {
    // Kafka answers an unknown group with state Dead; accept GROUP_ID_NOT_FOUND as the same.
    if (rd_kafka_error_code(error) != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
      throw CliError(failure(what, error, admin.global()));
    }
    info.group = group;
    info.state = RD_KAFKA_CONSUMER_GROUP_STATE_DEAD;
    return info;
  }
  info.group = rd_kafka_ConsumerGroupDescription_group_id(d);
  info.state = rd_kafka_ConsumerGroupDescription_state(d);
  if (const char* a = rd_kafka_ConsumerGroupDescription_partition_assignor(d)) info.assignor = a;
  info.simple = rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(d) != 0;
  if (const rd_kafka_Node_t* node = rd_kafka_ConsumerGroupDescription_coordinator(d)) {
    info.coordinator = rd_kafka_Node_id(node);
  }
  const size_t members = rd_kafka_ConsumerGroupDescription_member_count(d);
  for (size_t i = 0; i < members; ++i) {
    const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(d, i);
    MemberInfo mi;
    if (const char* s = rd_kafka_MemberDescription_consumer_id(m)) mi.member_id = s;
    if (const char* s = rd_kafka_MemberDescription_group_instance_id(m)) mi.instance_id = s;
    if (const char* s = rd_kafka_MemberDescription_client_id(m)) mi.client_id = s;
    if (const char* s = rd_kafka_MemberDescription_host(m)) mi.host = s;
    if (const rd_kafka_MemberAssignment_t* a = rd_kafka_MemberDescription_assignment(m)) {
      if (const rd_kafka_topic_partition_list_t* parts = rd_kafka_MemberAssignment_partitions(a)) {
        for (int p = 0; p < parts->cnt; ++p) {
          mi.assignment.emplace_back(parts->elems[p].topic, parts->elems[p].partition);
        }
      }
    }
    std::sort(mi.assignment.begin(), mi.assignment.end());
    info.members.push_back(std::move(mi));
  }
  std::sort(info.members.begin(), info.members.end(), [](const MemberInfo& a, const MemberInfo& b) {
    return std::tie(a.client_id, a.member_id) < std::tie(b.client_id, b.member_id);
  });
  return info;
}

// Committed offsets of the group; `only` limits the query to those partitions (all when empty).
// Partitions without a committed offset are left out.
std::map<TopicPartition, int64_t> committed_offsets(AdminClient& admin, const std::string& group,
                                                    const std::vector<TopicPartition>& only = {}) {
  const std::string what = "cannot fetch committed offsets of group '" + group + "'";
  PartitionListPtr parts;
  if (!only.empty()) {
    parts.reset(rd_kafka_topic_partition_list_new(static_cast<int>(only.size())));
    for (const auto& [t, p] : only) rd_kafka_topic_partition_list_add(parts.get(), t.c_str(), p);
  }
  std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t,
                  decltype(&rd_kafka_ListConsumerGroupOffsets_destroy)>
      request(rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), parts.get()),
              &rd_kafka_ListConsumerGroupOffsets_destroy);
  AdminOptionsPtr options = admin.make_options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, false);
  rd_kafka_ListConsumerGroupOffsets_t* array[] = {request.get()};
  rd_kafka_ListConsumerGroupOffsets(admin.handle(), array, 1, options.get(), admin.queue());
  EventPtr ev = admin.wait_result(what);
  size_t count = 0;
  const rd_kafka_group_result_t** results = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &count);
  std::map<TopicPartition, int64_t> out;
  for (size_t i = 0; i < count; ++i) {
    if (const rd_kafka_error_t* error = rd_kafka_group_result_error(results[i])) {
      throw CliError(failure(what, error, admin.global()));
    }
    const rd_kafka_topic_partition_list_t* list = rd_kafka_group_result_partitions(results[i]);
    if (list == nullptr) continue;
    for (int p = 0; p < list->cnt; ++p) {
      const rd_kafka_topic_partition_t& tp = list->elems[p];
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw CliError(what + ": partition " + tp.topic + "[" + std::to_string(tp.partition) +
                       "]: " + error_text(tp.err));
      }
      if (tp.offset >= 0) out[{tp.topic, tp.partition}] = tp.offset;
    }
  }
  return out;
}

struct Watermarks {
  int64_t low = -1;
  int64_t high = -1;
};

Watermarks query_watermarks(AdminClient& admin, const TopicPartition& tp) {
  Watermarks w;
  const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      admin.handle(), tp.first.c_str(), tp.second, &w.low, &w.high, admin.global().timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw CliError(describe_error(err,
                                  "cannot read the offsets of partition " +
                                      std::to_string(tp.second) + " of '" + tp.first + "'",
                                  admin.global()));
  }
  return w;
}

// --- list -----------------------------------------------------------------------------------

struct ListOptions {
  std::vector<std::string> states;
  bool long_format = false;
};

void run_list(const ListOptions& o, const GlobalOptions& global) {
  std::vector<rd_kafka_consumer_group_state_t> states;
  for (const auto& s : o.states) {
    const rd_kafka_consumer_group_state_t code = rd_kafka_consumer_group_state_code(s.c_str());
    if (code == RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN) {
      throw UsageError("--state: unknown group state '" + s +
                       "' (use Empty, Stable, PreparingRebalance, CompletingRebalance or Dead)");
    }
    states.push_back(code);
  }
  AdminClient admin(global);
  AdminOptionsPtr options = admin.make_options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, false);
  if (!states.empty()) {
    ErrorPtr error(rd_kafka_AdminOptions_set_match_consumer_group_states(
        options.get(), states.data(), states.size()));
    if (error) throw UsageError("--state: " + error_text(error.get()));
  }
  const std::string what = "cannot list groups";
  rd_kafka_ListConsumerGroups(admin.handle(), options.get(), admin.queue());
  EventPtr ev = admin.wait_result(what);
  const rd_kafka_ListConsumerGroups_result_t* result =
      rd_kafka_event_ListConsumerGroups_result(ev.get());
  size_t error_count = 0;
  const rd_kafka_error_t** errors = rd_kafka_ListConsumerGroups_result_errors(result, &error_count);
  if (error_count > 0) throw CliError(failure(what, errors[0], global));
  size_t count = 0;
  const rd_kafka_ConsumerGroupListing_t** groups =
      rd_kafka_ListConsumerGroups_result_valid(result, &count);
  std::vector<std::pair<std::string, std::string>> rows;
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_consumer_group_state_t state = rd_kafka_ConsumerGroupListing_state(groups[i]);
    // Older brokers (ListGroups < v4) do not filter: do it here too.
    if (!states.empty() && std::find(states.begin(), states.end(), state) == states.end()) {
      continue;
    }
    rows.emplace_back(rd_kafka_ConsumerGroupListing_group_id(groups[i]), state_name(state));
  }
  std::sort(rows.begin(), rows.end());
  if (!o.long_format) {
    for (const auto& [name, state] : rows) std::printf("%s\n", name.c_str());
    return;
  }
  std::vector<std::vector<std::string>> table{{"GROUP", "STATE"}};
  for (const auto& [name, state] : rows) table.push_back({name, state});
  print_table(table);
}

// --- describe -------------------------------------------------------------------------------

struct GroupOptions {
  std::string group;
};

std::string join_assignment(const std::vector<TopicPartition>& parts) {
  if (parts.empty()) return "-";
  // topic:0,1,2;other:3
  std::string out;
  std::string current;
  for (const auto& [topic, partition] : parts) {
    if (topic != current || out.empty()) {
      if (!out.empty()) out += ';';
      out += topic + ":";
      current = topic;
    } else {
      out += ',';
    }
    out += std::to_string(partition);
  }
  return out;
}

void run_describe(const GroupOptions& o, const GlobalOptions& global) {
  AdminClient admin(global);
  const GroupInfo info = describe_group(admin, o.group);
  const auto committed = committed_offsets(admin, o.group);
  if (info.state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD && info.members.empty() &&
      committed.empty()) {
    throw CliError("group '" + o.group + "' does not exist");
  }

  std::printf("Group: %s\n", info.group.c_str());
  std::printf("State: %s\n", state_name(info.state).c_str());
  std::printf("Protocol: %s\n", info.assignor.empty() ? "-" : info.assignor.c_str());
  std::printf("Coordinator: %d\n", info.coordinator);
  std::printf("Members: %zu\n", info.members.size());
  std::map<TopicPartition, const MemberInfo*> owner;
  if (!info.members.empty()) {
    std::vector<std::vector<std::string>> table{
        {"  MEMBER-ID", "INSTANCE-ID", "CLIENT-ID", "HOST", "PARTITIONS"}};
    for (const MemberInfo& m : info.members) {
      table.push_back({"  " + m.member_id, m.instance_id.empty() ? "-" : m.instance_id,
                       m.client_id.empty() ? "-" : m.client_id, m.host.empty() ? "-" : m.host,
                       join_assignment(m.assignment)});
      for (const auto& tp : m.assignment) owner[tp] = &m;
    }
    print_table(table);
  }

  std::set<TopicPartition> partitions;
  for (const auto& [tp, offset] : committed) partitions.insert(tp);
  for (const auto& [tp, member] : owner) partitions.insert(tp);
  std::printf("Offsets:%s\n", partitions.empty() ? " (none)" : "");
  if (partitions.empty()) return;

  std::vector<std::vector<std::string>> table{{"  TOPIC", "PARTITION", "CURRENT-OFFSET",
                                               "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID"}};
  int64_t total_lag = 0;
  bool lag_known = true;
  for (const TopicPartition& tp : partitions) {
    std::optional<int64_t> end;
    try {
      end = query_watermarks(admin, tp).high;
    } catch (const CliError& e) {
      print_warning(e.what());
      lag_known = false;
    }
    const auto c = committed.find(tp);
    std::string lag = "-";
    if (c != committed.end() && end) {
      // A committed offset beyond the end (e.g. after records were deleted) counts as no lag.
      const int64_t l = std::max<int64_t>(0, *end - c->second);
      lag = std::to_string(l);
      total_lag += l;
    } else if (end && *end > 0) {
      lag_known = false;  // Nothing committed: the backlog depends on auto.offset.reset.
    }
    const auto m = owner.find(tp);
    table.push_back(
        {"  " + tp.first, std::to_string(tp.second),
         c == committed.end() ? "-" : std::to_string(c->second), end ? std::to_string(*end) : "-",
         lag, m == owner.end() ? "-" : m->second->member_id,
         m == owner.end() || m->second->client_id.empty() ? "-" : m->second->client_id});
  }
  print_table(table);
  std::printf("Total lag: %s%s\n", std::to_string(total_lag).c_str(),
              lag_known ? "" : " (partitions without a committed offset not counted)");
}

// --- delete ---------------------------------------------------------------------------------

struct DeleteOptions {
  std::vector<std::string> groups;
};

void run_delete(const DeleteOptions& o, const GlobalOptions& global) {
  AdminClient admin(global);
  std::vector<rd_kafka_DeleteGroup_t*> dels;
  for (const auto& g : o.groups) dels.push_back(rd_kafka_DeleteGroup_new(g.c_str()));
  struct Cleanup {
    std::vector<rd_kafka_DeleteGroup_t*>& v;
    ~Cleanup() { rd_kafka_DeleteGroup_destroy_array(v.data(), v.size()); }
  } cleanup{dels};

  AdminOptionsPtr options = admin.make_options(RD_KAFKA_ADMIN_OP_DELETEGROUPS, false);
  rd_kafka_DeleteGroups(admin.handle(), dels.data(), dels.size(), options.get(), admin.queue());
  EventPtr ev = admin.wait_result("cannot delete groups");
  size_t count = 0;
  const rd_kafka_group_result_t** results =
      rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.get()), &count);
  std::map<std::string, std::string> failures;  // group -> error
  std::set<std::string> answered;
  for (size_t i = 0; i < count; ++i) {
    const std::string name = rd_kafka_group_result_name(results[i]);
    answered.insert(name);
    if (const rd_kafka_error_t* error = rd_kafka_group_result_error(results[i])) {
      failures[name] = is_timeout(rd_kafka_error_code(error))
                           ? describe_error(rd_kafka_error_code(error), "request failed", global)
                           : error_text(error);
    }
  }
  for (const auto& g : o.groups) {
    if (failures.count(g) == 0 && answered.count(g) == 0) failures[g] = "no answer from broker";
  }
  for (const auto& g : o.groups) {
    if (failures.count(g) == 0) std::printf("Deleted group '%s'.\n", g.c_str());
  }
  std::fflush(stdout);
  if (failures.empty()) return;
  std::string msg;
  for (const auto& [g, e] : failures) {
    if (!msg.empty()) msg += "; ";
    msg += "cannot delete group '" + g + "': " + e;
  }
  throw CliError(msg);
}

// --- reset-offsets --------------------------------------------------------------------------

struct ResetOptions {
  std::string group;
  std::string topic;
  int partition = -1;  // -1: every partition of the topic.
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<int64_t> to_offset;
  std::optional<int64_t> to_datetime;  // Timestamp in ms.
  bool dry_run = false;
};

void run_reset_offsets(const ResetOptions& o, const GlobalOptions& global) {
  const int targets = int(o.to_earliest) + int(o.to_latest) + int(o.to_offset.has_value()) +
                      int(o.to_datetime.has_value());
  if (targets != 1) {
    throw UsageError(
        "reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset, "
        "--to-datetime");
  }

  AdminClient admin(global);
  const GroupInfo info = describe_group(admin, o.group);
  const bool inactive = info.state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY ||
                        info.state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD;
  if (!inactive) {
    const std::string why = "group '" + o.group + "' is " + state_name(info.state) + " with " +
                            std::to_string(info.members.size()) +
                            " member(s); offsets can only be reset while it is empty "
                            "(stop its consumers first)";
    if (!o.dry_run) throw CliError(why);
    print_warning(why);
  }

  const TopicInfo topic = fetch_topic(admin.handle(), global, o.topic);
  std::vector<TopicPartition> parts;
  for (const auto& p : topic.partitions) {
    if (o.partition < 0 || p.id == o.partition) parts.emplace_back(o.topic, p.id);
  }
  if (parts.empty()) {
    throw CliError("partition " + std::to_string(o.partition) + " does not exist (topic '" +
                   o.topic + "' has " + std::to_string(topic.partitions.size()) + ")");
  }

  const auto current = committed_offsets(admin, o.group, parts);
  std::map<TopicPartition, Watermarks> marks;
  for (const auto& tp : parts) marks[tp] = query_watermarks(admin, tp);

  std::map<TopicPartition, int64_t> by_time;
  if (o.to_datetime) {
    std::vector<int32_t> ids;
    for (const auto& tp : parts) ids.push_back(tp.second);
    for (const auto& [p, offset] :
         offsets_for_time(admin.handle(), o.topic, ids, *o.to_datetime, global)) {
      by_time[{o.topic, p}] = offset;
    }
  }

  std::map<TopicPartition, int64_t> plan;
  for (const auto& tp : parts) {
    const Watermarks& w = marks[tp];
    int64_t target = 0;
    if (o.to_earliest) {
      target = w.low;
    } else if (o.to_latest) {
      target = w.high;
    } else if (o.to_offset) {
      target = *o.to_offset;
    } else {
      const auto it = by_time.find(tp);
      // No message at or after the timestamp: start at the end.
      target = it == by_time.end() || it->second < 0 ? w.high : it->second;
    }
    // Like Kafka's tool: offsets outside the log are moved to its nearest end.
    plan[tp] = std::clamp(target, w.low, w.high);
  }

  std::vector<std::vector<std::string>> table{{"TOPIC", "PARTITION", "CURRENT", "NEW"}};
  for (const auto& [tp, target] : plan) {
    const auto c = current.find(tp);
    table.push_back({tp.first, std::to_string(tp.second),
                     c == current.end() ? "-" : number_or_dash(c->second), std::to_string(target)});
  }
  print_table(table);
  if (o.dry_run) {
    std::printf("Dry run: offsets of group '%s' not changed.\n", o.group.c_str());
    return;
  }
  std::fflush(stdout);

  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(plan.size())));
  for (const auto& [tp, target] : plan) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = target;
  }
  std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t,
                  decltype(&rd_kafka_AlterConsumerGroupOffsets_destroy)>
      request(rd_kafka_AlterConsumerGroupOffsets_new(o.group.c_str(), list.get()),
              &rd_kafka_AlterConsumerGroupOffsets_destroy);
  const std::string what = "cannot commit offsets of group '" + o.group + "'";
  AdminOptionsPtr options = admin.make_options(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, false);
  rd_kafka_AlterConsumerGroupOffsets_t* array[] = {request.get()};
  rd_kafka_AlterConsumerGroupOffsets(admin.handle(), array, 1, options.get(), admin.queue());
  EventPtr ev = admin.wait_result(what);
  size_t count = 0;
  const rd_kafka_group_result_t** results = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(ev.get()), &count);
  if (count == 0) throw CliError(what + ": no answer for the group");
  for (size_t i = 0; i < count; ++i) {
    if (const rd_kafka_error_t* error = rd_kafka_group_result_error(results[i])) {
      throw CliError(failure(what, error, global));
    }
    const rd_kafka_topic_partition_list_t* res = rd_kafka_group_result_partitions(results[i]);
    if (res == nullptr) continue;
    for (int p = 0; p < res->cnt; ++p) {
      const rd_kafka_topic_partition_t& tp = res->elems[p];
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw CliError(what + ": partition " + tp.topic + "[" + std::to_string(tp.partition) +
                       "]: " + error_text(tp.err));
      }
    }
  }
  std::printf("Reset offsets of group '%s' for %zu partition(s).\n", o.group.c_str(), plan.size());
}

}  // namespace

void add_group_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* group = app.add_subcommand(
      "group", "List, inspect, delete consumer groups; show lag; reset committed offsets");
  group->require_subcommand(1);

  {
    auto o = std::make_shared<ListOptions>();
    CLI::App* sub = group->add_subcommand("list", "List group names, one per line, sorted");
    sub->add_option("-s,--state", o->states,
                    "Only groups in this state: Empty, Stable, PreparingRebalance, "
                    "CompletingRebalance, Dead (repeatable)")
        ->allow_extra_args(false);
    sub->add_flag("-l,--long", o->long_format, "Also show each group's state");
    bind(sub, o, global, action, run_list);
  }
  {
    auto o = std::make_shared<GroupOptions>();
    CLI::App* sub = group->add_subcommand(
        "describe",
        "Show state, protocol, members and their partitions, and per partition the committed "
        "offset, log end offset and lag");
    sub->add_option("group", o->group, "Group id")->required();
    bind(sub, o, global, action, run_describe);
  }
  {
    auto o = std::make_shared<DeleteOptions>();
    CLI::App* sub =
        group->add_subcommand("delete", "Delete empty groups and their committed offsets");
    sub->add_option("groups", o->groups, "Group ids")->required();
    bind(sub, o, global, action, run_delete);
  }
  {
    auto o = std::make_shared<ResetOptions>();
    CLI::App* sub = group->add_subcommand(
        "reset-offsets", "Set the committed offsets of an empty group for one topic");
    sub->add_option("group", o->group, "Group id")->required();
    sub->add_option("-t,--topic", o->topic, "Topic whose offsets to reset")->required();
    sub->add_option("-p,--partition", o->partition, "Only this partition (default: all)")
        ->check(CLI::NonNegativeNumber);
    sub->add_flag("--to-earliest", o->to_earliest, "Reset to the log start offset");
    sub->add_flag("--to-latest", o->to_latest, "Reset to the log end offset");
    sub->add_option("--to-offset", o->to_offset,
                    "Reset to this offset (clamped to the partition's offsets)")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--to-datetime", o->to_datetime,
                    "Reset to the first message with a timestamp >= MS (milliseconds since the "
                    "epoch; the end if there is none)")
        ->check(CLI::NonNegativeNumber);
    sub->add_flag("--dry-run", o->dry_run, "Only print the plan");
    bind(sub, o, global, action, run_reset_offsets);
  }
}

}  // namespace sluice::cli
