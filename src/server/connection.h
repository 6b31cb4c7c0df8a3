#pragma once
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <vector>

#include "sluice/broker/broker.h"
#include "sluice/server/server.h"

namespace sluice::server {

// One client connection, on one shard's loop for its whole life. Requests are read and dispatched
// as they arrive (pipelining); each gets a slot in `slots_`, and responses leave strictly in slot
// order, as Kafka clients require.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `peer` is the client's address, as counted for max.connections.per.ip.
  Connection(asio::ip::tcp::socket socket, std::string peer, broker::Broker& broker, Server& server,
             const ServerLimits& limits);
  void start();
  void close();
  // How long the connection has done nothing: no request read or response written, and no
  // request in flight (a long-polling fetch is not idle). Zero while busy.
  std::chrono::steady_clock::duration idle_since(std::chrono::steady_clock::time_point now) const;

 private:
  struct Slot {
    bool ready = false;
    broker::Reply reply;
    size_t bytes = 0;  // request frame + response frame, counted in queued_bytes_
  };

  void read_header();
  void read_body(int32_t size);
  void complete(uint64_t seq, broker::Reply reply);
  void write_ready();
  bool can_read() const;
  void touch() { last_active_ = std::chrono::steady_clock::now(); }
  void drop_written(size_t frames);

  asio::ip::tcp::socket socket_;
  broker::Broker& broker_;
  Server& server_;
  const ServerLimits& limits_;
  uint8_t size_buf_[4];
  broker::Frame body_;
  std::deque<Slot> slots_;
  uint64_t first_seq_ = 0;  // sequence number of slots_.front()
  uint64_t next_seq_ = 0;
  // A file range (sendfile) that goes out after byte `at` of out_.
  struct FilePiece {
    size_t at;
    protocol::FileRange range;
  };
  void send_next();
  void send_file();
  void fail_write();

  std::string out_;
  std::vector<FilePiece> files_;
  size_t out_pos_ = 0;     // bytes of out_ already written
  size_t next_file_ = 0;   // next entry of files_ to send
  size_t out_frames_ = 0;  // slots covered by the write in flight
  bool writing_ = false;
  bool reading_ = false;
  bool closed_ = false;
  size_t queued_bytes_ = 0;  // bytes held by slots_ (queued.max.request.bytes)
  std::chrono::steady_clock::time_point last_active_ = std::chrono::steady_clock::now();
  std::string peer_;
  std::string client_host_;
};

}  // namespace sluice::server
