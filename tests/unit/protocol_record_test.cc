#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol_test_util.h"
#include "sluice/protocol/record_batch.h"
#include "sluice/protocol/record_iterator.h"
#include "sluice/protocol/varint.h"

namespace sluice::protocol {
namespace {

using testing::as_bytes;
using testing::BatchOptions;
using testing::build_batch;
using testing::TestRecord;

struct Seen {
  int64_t offset;
  int64_t timestamp;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int32_t header_count;
};

std::optional<std::string> str(std::span<const uint8_t> s, bool is_null) {
  if (is_null) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

BatchError collect(const std::string& batch, std::vector<Seen>& seen,
                   size_t max_decompressed = kDefaultMaxDecompressed) {
  seen.clear();
  return for_each_record(as_bytes(batch), max_decompressed, [&](const Record& r) {
    seen.push_back({r.offset, r.timestamp, str(r.key, r.key_null), str(r.value, r.value_null),
                    r.header_count});
    return true;
  });
}

std::vector<TestRecord> sample_records() {
  return {
      {.key = "k0", .value = "v0", .timestamp_delta = 0, .headers = {}},
      {.key = std::nullopt, .value = "value one", .timestamp_delta = 5, .headers = {{"h", "x"}}},
      {.key = "",
       .value = std::nullopt,
       .timestamp_delta = 3,
       .headers = {{"a", std::nullopt}, {"bb", "yy"}}},
      {.key = "k3", .value = std::string(2000, 'q'), .timestamp_delta = 40, .headers = {}},
  };
}

constexpr int64_t kBase = 1'700'000'000'000;

class RecordIterCodec : public ::testing::TestWithParam<Compression> {};

TEST_P(RecordIterCodec, OffsetsTimestampsKeysValuesHeaders) {
  BatchOptions o{.base_offset = 1000, .base_timestamp = kBase, .compression = GetParam()};
  std::string batch = build_batch(sample_records(), o);
  ASSERT_FALSE(batch.empty());
  ASSERT_EQ(validate_batch(as_bytes(batch), 1 << 20, true), BatchError::ok);

  std::vector<Seen> seen;
  ASSERT_EQ(collect(batch, seen), BatchError::ok);
  ASSERT_EQ(seen.size(), 4u);
  auto recs = sample_records();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(seen[i].offset, 1000 + static_cast<int64_t>(i));
    EXPECT_EQ(seen[i].timestamp, kBase + recs[i].timestamp_delta);
    EXPECT_EQ(seen[i].key, recs[i].key);
    EXPECT_EQ(seen[i].value, recs[i].value);
    EXPECT_EQ(seen[i].header_count, static_cast<int32_t>(recs[i].headers.size()));
  }
}

TEST_P(RecordIterCodec, LogAppendTimeReportsMaxTimestamp) {
  BatchOptions o{.base_offset = 7,
                 .base_timestamp = kBase,
                 .compression = GetParam(),
                 .log_append_time = true,
                 .max_timestamp = kBase + 123456};
  std::string batch = build_batch(sample_records(), o);
  std::vector<Seen> seen;
  ASSERT_EQ(collect(batch, seen), BatchError::ok);
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& s : seen) EXPECT_EQ(s.timestamp, kBase + 123456);
  auto m = max_timestamp_record(as_bytes(batch));
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, std::make_pair(int64_t{7}, kBase + 123456));
}

TEST_P(RecordIterCodec, FirstRecordAtOrAfter) {
  std::vector<TestRecord> recs;
  for (int i = 0; i < 10; ++i)
    recs.push_back({.key = "k", .value = std::to_string(i), .timestamp_delta = i * 1000});
  BatchOptions o{.base_offset = 500, .base_timestamp = kBase, .compression = GetParam()};
  std::string batch = build_batch(recs, o);
  auto b = as_bytes(batch);

  EXPECT_EQ(first_record_at_or_after(b, kBase + 2500), std::make_pair(int64_t{503}, kBase + 3000));
  EXPECT_EQ(first_record_at_or_after(b, kBase + 2000), std::make_pair(int64_t{502}, kBase + 2000));
  EXPECT_EQ(first_record_at_or_after(b, 0), std::make_pair(int64_t{500}, kBase));
  EXPECT_EQ(first_record_at_or_after(b, kBase + 9000), std::make_pair(int64_t{509}, kBase + 9000));
  EXPECT_FALSE(first_record_at_or_after(b, kBase + 9001));
  EXPECT_EQ(max_timestamp_record(b), std::make_pair(int64_t{509}, kBase + 9000));
}

TEST_P(RecordIterCodec, MaxTimestampNonMonotonic) {
  std::vector<TestRecord> recs;
  for (int64_t d : {5, 50, 20, 50, 10}) recs.push_back({.value = "v", .timestamp_delta = d});
  BatchOptions o{.base_offset = 100, .base_timestamp = kBase, .compression = GetParam()};
  std::string batch = build_batch(recs, o);
  // The first of the two records at +50.
  EXPECT_EQ(max_timestamp_record(as_bytes(batch)), std::make_pair(int64_t{101}, kBase + 50));
  // First at-or-after is by position, not by smallest timestamp.
  EXPECT_EQ(first_record_at_or_after(as_bytes(batch), kBase + 15),
            std::make_pair(int64_t{101}, kBase + 50));
}

TEST_P(RecordIterCodec, DecompressionBoundGivesBadRecords) {
  std::vector<TestRecord> recs(3, TestRecord{.value = std::string(100000, 'a')});
  BatchOptions o{.compression = GetParam()};
  std::string batch = build_batch(recs, o);
  std::vector<Seen> seen;
  if (GetParam() == Compression::none) {
    EXPECT_EQ(collect(batch, seen, 1000), BatchError::ok);  // nothing to decompress
  } else {
    EXPECT_EQ(collect(batch, seen, 1000), BatchError::bad_records);
    EXPECT_TRUE(seen.empty());
    EXPECT_EQ(collect(batch, seen, 400000), BatchError::ok);
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, RecordIterCodec,
                         ::testing::Values(Compression::none, Compression::gzip,
                                           Compression::snappy, Compression::lz4,
                                           Compression::zstd),
                         [](const auto& info) -> std::string {
                           switch (info.param) {
                             case Compression::none:
                               return "none";
                             case Compression::gzip:
                               return "gzip";
                             case Compression::snappy:
                               return "snappy";
                             case Compression::lz4:
                               return "lz4";
                             case Compression::zstd:
                               return "zstd";
                           }
                           return "?";
                         });

TEST(RecordIter, EmptyBatch) {
  std::string batch = build_batch({}, {.last_offset_delta = 0});
  std::vector<Seen> seen;
  EXPECT_EQ(collect(batch, seen), BatchError::ok);
  EXPECT_TRUE(seen.empty());
  EXPECT_FALSE(max_timestamp_record(as_bytes(batch)));
  EXPECT_FALSE(first_record_at_or_after(as_bytes(batch), 0));
}

TEST(RecordIter, EarlyStop) {
  std::string batch = build_batch(sample_records(), {.base_offset = 10});
  int calls = 0;
  auto e = for_each_record(as_bytes(batch), 1 << 20, [&](const Record& r) {
    ++calls;
    return r.offset < 11;
  });
  EXPECT_EQ(e, BatchError::ok);
  EXPECT_EQ(calls, 2);
}

TEST(RecordIter, CompactedOffsetGaps) {
  // After compaction a batch keeps its lastOffsetDelta but loses records.
  std::vector<TestRecord> recs = {{.value = "a", .offset_delta = 0},
                                  {.value = "b", .offset_delta = 3},
                                  {.value = "c", .offset_delta = 9}};
  std::string batch = build_batch(recs, {.base_offset = 20});
  std::vector<Seen> seen;
  ASSERT_EQ(collect(batch, seen), BatchError::ok);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].offset, 23);
  EXPECT_EQ(seen[2].offset, 29);
}

// ---- malformed batches ----

// A batch whose (uncompressed or compressed) records section is exactly `section`.
std::string raw_batch(const std::string& section, int32_t count, Compression c = Compression::none,
                      int32_t last_offset_delta = -1) {
  BatchOptions o{.compression = c};
  return testing::batch_from_section(
      section, count, last_offset_delta >= 0 ? last_offset_delta : std::max(count - 1, 0),
      o.base_timestamp, o);
}

std::string framed(const std::string& body, int64_t declared_len) {
  std::string s;
  append_varint(s, declared_len);
  return s + body;
}

BatchError iterate(const std::string& batch) {
  return for_each_record(as_bytes(batch), 1 << 20, [](const Record&) { return true; });
}

TEST(RecordIter, MalformedRecords) {
  TestRecord r{.key = "key", .value = "value", .headers = {{"h", "v"}}};
  std::string body = testing::record_body(r, 0);
  for (Compression c : {Compression::none, Compression::zstd}) {
    SCOPED_TRACE(static_cast<int>(c));
    // Sanity: the well-formed record.
    EXPECT_EQ(iterate(raw_batch(framed(body, body.size()), 1, c)), BatchError::ok);
    // Length past the end of the section.
    EXPECT_EQ(iterate(raw_batch(framed(body, body.size() + 5), 1, c)), BatchError::bad_records);
    // Length shorter than the record: the record's fields run past its own end.
    EXPECT_EQ(iterate(raw_batch(framed(body, body.size() - 3), 1, c)), BatchError::bad_records);
    // Trailing bytes inside a record.
    EXPECT_EQ(iterate(raw_batch(framed(body + "x", body.size() + 1), 1, c)),
              BatchError::bad_records);
    // Negative record length.
    EXPECT_EQ(iterate(raw_batch(framed(body, -1), 1, c)), BatchError::bad_records);
    // Count mismatch in both directions.
    std::string two = framed(testing::record_body(r, 0), body.size()) +
                      framed(testing::record_body(r, 1), body.size());
    EXPECT_EQ(iterate(raw_batch(two, 2, c)), BatchError::ok);
    EXPECT_EQ(iterate(raw_batch(two, 3, c)), BatchError::bad_records);
    EXPECT_EQ(iterate(raw_batch(two, 1, c, 1)), BatchError::bad_records);
    // offsetDelta beyond lastOffsetDelta.
    EXPECT_EQ(iterate(raw_batch(two, 2, c, 0)), BatchError::bad_records);
    // A truncated varint at the end of the section.
    EXPECT_EQ(iterate(raw_batch(framed(body, body.size()) + "\x80", 1, c)),
              BatchError::bad_records);
  }
}

TEST(RecordIter, MalformedFieldLengths) {
  auto with = [](const std::string& key_len, const std::string& rest) {
    std::string body;
    body.push_back(0);
    append_varint(body, 0);  // timestampDelta
    append_varint(body, 0);  // offsetDelta
    body += key_len + rest;
    return raw_batch(framed(body, body.size()), 1);
  };
  std::string len_m2, len_m1, len_0, len_1, len_9;
  append_varint(len_m2, -2);
  append_varint(len_m1, -1);
  append_varint(len_0, 0);
  append_varint(len_1, 1);
  append_varint(len_9, 9);
  // key -2
  EXPECT_EQ(iterate(with(len_m2, len_0 + len_0)), BatchError::bad_records);
  // key null, value -2
  EXPECT_EQ(iterate(with(len_m1, len_m2 + len_0)), BatchError::bad_records);
  // key null, value past the end
  EXPECT_EQ(iterate(with(len_m1, len_9 + "abc" + len_0)), BatchError::bad_records);
  // negative header count
  EXPECT_EQ(iterate(with(len_m1, len_m1 + len_m1)), BatchError::bad_records);
  // header count 1 but no header
  EXPECT_EQ(iterate(with(len_m1, len_m1 + len_1)), BatchError::bad_records);
  // header with a null key
  EXPECT_EQ(iterate(with(len_m1, len_m1 + len_1 + len_m1 + len_0)), BatchError::bad_records);
  // header value past the end
  EXPECT_EQ(iterate(with(len_m1, len_m1 + len_1 + len_1 + "k" + len_9 + "v")),
            BatchError::bad_records);
  // well-formed: null key, null value, one header with a null value
  EXPECT_EQ(iterate(with(len_m1, len_m1 + len_1 + len_1 + "k" + len_m1)), BatchError::ok);
  // missing attributes byte
  EXPECT_EQ(iterate(raw_batch(framed("", 0), 1)), BatchError::bad_records);
}

TEST(RecordIter, BadHeaderAndCodec) {
  std::string good = build_batch(sample_records());
  // Unknown codec 5 and a reserved attribute bit.
  EXPECT_EQ(iterate(build_batch(sample_records(), {.extra_attributes = 5})),
            BatchError::bad_attributes);
  EXPECT_EQ(iterate(build_batch(sample_records(), {.extra_attributes = 0x100})),
            BatchError::bad_attributes);
  // Corrupt compressed payload.
  std::string z = build_batch(sample_records(), {.compression = Compression::lz4});
  z[z.size() - 10] ^= 0x55;
  z[kBatchHeaderSize + 1] ^= 0x55;  // the lz4 frame descriptor
  EXPECT_EQ(iterate(z), BatchError::bad_records);
  // Truncated batch, bad magic, bad length.
  EXPECT_EQ(iterate(good.substr(0, good.size() - 1)), BatchError::truncated);
  EXPECT_EQ(iterate(good.substr(0, 30)), BatchError::truncated);
  std::string m = good;
  m[16] = 1;
  EXPECT_EQ(iterate(m), BatchError::bad_magic);
  std::string l = good;
  store_be<int32_t>(reinterpret_cast<uint8_t*>(l.data()) + 8, 10);
  EXPECT_EQ(iterate(l), BatchError::bad_length);
  // Negative record count.
  EXPECT_EQ(iterate(build_batch(sample_records(), {.record_count = -1})), BatchError::bad_records);
  // Malformed batches give nullopt from the conveniences.
  EXPECT_FALSE(first_record_at_or_after(as_bytes(z), 0));
  EXPECT_FALSE(max_timestamp_record(as_bytes(z)));
}

}  // namespace
}  // namespace sluice::protocol
