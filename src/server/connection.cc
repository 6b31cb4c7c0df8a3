#include "connection.h"

#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <asio/read.hpp>
#include <asio/write.hpp>
#include <cerrno>
#include <cstring>

#include "sluice/protocol/endian.h"

namespace sluice::server {

Connection::Connection(asio::ip::tcp::socket socket, std::string peer, broker::Broker& broker,
                       Server& server, const ServerLimits& limits)
    : socket_(std::move(socket)),
      broker_(broker),
      server_(server),
      limits_(limits),
      peer_(std::move(peer)) {
  std::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  // sendfile() on the raw descriptor must not block the event loop.
  socket_.native_non_blocking(true, ec);
  auto remote = socket_.remote_endpoint(ec);
  // Kafka shows client hosts as "/<address>".
  if (!ec) client_host_.append("/").append(remote.address().to_string());
}

void Connection::start() { read_header(); }

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  server_.on_closed(this, peer_);
}

bool Connection::can_read() const {
  return !closed_ && !reading_ &&
         slots_.size() < static_cast<size_t>(limits_.max_queued_requests) &&
         queued_bytes_ < static_cast<uint64_t>(limits_.max_queued_request_bytes);
}

std::chrono::steady_clock::duration Connection::idle_since(
    std::chrono::steady_clock::time_point now) const {
  if (closed_ || writing_ || !slots_.empty()) return {};
  return now - last_active_;
}

void Connection::drop_written(size_t frames) {
  for (size_t i = 0; i < frames; ++i) queued_bytes_ -= slots_[i].bytes;
  slots_.erase(slots_.begin(), slots_.begin() + static_cast<long>(frames));
  first_seq_ += frames;
}

void Connection::read_header() {
  if (!can_read()) return;
  reading_ = true;
  asio::async_read(socket_, asio::buffer(size_buf_),
                   [self = shared_from_this()](std::error_code ec, size_t) {
                     self->reading_ = false;
                     if (ec || self->closed_) return self->close();
                     self->touch();
                     int32_t size = protocol::load_be<int32_t>(self->size_buf_);
                     // The cap is checked before a byte of the body is read or allocated.
                     if (size < 8 || size > self->limits_.max_request_bytes) {
                       spdlog::debug("closing connection: request size {}", size);
                       return self->close();
                     }
                     self->read_body(size);
                   });
}

void Connection::read_body(int32_t size) {
  reading_ = true;
  body_.resize(static_cast<size_t>(size));
  asio::async_read(
      socket_, asio::buffer(body_), [self = shared_from_this()](std::error_code ec, size_t) {
        self->reading_ = false;
        if (ec || self->closed_) return self->close();
        self->touch();
        uint64_t seq = self->next_seq_++;
        self->slots_.emplace_back();
        self->slots_.back().bytes = self->body_.size();
        self->queued_bytes_ += self->body_.size();
        broker::Frame frame = std::move(self->body_);
        self->body_ = {};
        self->broker_.handle(
            std::move(frame), self->client_host_,
            [self, seq](broker::Reply reply) { self->complete(seq, std::move(reply)); });
        self->read_header();
      });
}

void Connection::complete(uint64_t seq, broker::Reply reply) {
  if (closed_) return;
  Slot& s = slots_[static_cast<size_t>(seq - first_seq_)];
  s.ready = true;
  s.reply = std::move(reply);
  s.bytes += s.reply.frame.size();
  queued_bytes_ += s.reply.frame.size();
  write_ready();
}

void Connection::write_ready() {
  if (writing_ || closed_) return;
  out_.clear();
  files_.clear();
  out_frames_ = 0;
  for (auto& s : slots_) {
    if (!s.ready) break;
    if (s.reply.kind == broker::Reply::Kind::close) break;
    ++out_frames_;
    if (s.reply.kind == broker::Reply::Kind::none) continue;
    uint8_t len[4];
    protocol::store_be(len, static_cast<int32_t>(s.reply.size()));
    out_.append(reinterpret_cast<const char*>(len), 4);
    // File-backed records stay out of out_: they are sent by sendfile at their place.
    size_t prev = 0;
    for (auto& sp : s.reply.splices) {
      out_.append(s.reply.frame, prev, sp.at - prev);
      files_.push_back({out_.size(), std::move(sp.range)});
      prev = sp.at;
    }
    out_.append(s.reply.frame, prev, std::string::npos);
    s.reply.frame = {};
    s.reply.splices.clear();
  }
  if (out_frames_ == 0) {
    // Everything before a close has been written: now close.
    if (!slots_.empty() && slots_.front().ready) close();
    return;
  }
  if (out_.empty() && files_.empty()) {
    drop_written(out_frames_);
    read_header();
    return write_ready();
  }
  writing_ = true;
  out_pos_ = 0;
  next_file_ = 0;
  send_next();
}

// Sends out_ up to the next file piece, then that piece, and so on; then finishes the round.
void Connection::send_next() {
  size_t stop = next_file_ < files_.size() ? files_[next_file_].at : out_.size();
  if (out_pos_ < stop && next_file_ < files_.size()) {
    // Bytes right before a file piece go out with MSG_MORE, so that they and the sendfile()
    // after them leave in one TCP segment instead of two (a small fetch response otherwise costs
    // the client two wake-ups). Whatever the socket does not take now goes the async way.
    ssize_t n;
    do
      n = ::send(socket_.native_handle(), out_.data() + out_pos_, stop - out_pos_,
                 MSG_MORE | MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return fail_write();
    if (n > 0) out_pos_ += static_cast<size_t>(n);
  }
  if (out_pos_ < stop) {
    asio::async_write(socket_, asio::buffer(out_.data() + out_pos_, stop - out_pos_),
                      [self = shared_from_this(), stop](std::error_code ec, size_t) {
                        if (ec || self->closed_) return self->fail_write();
                        self->out_pos_ = stop;
                        self->send_next();
                      });
    return;
  }
  if (next_file_ < files_.size()) return send_file();
  writing_ = false;
  files_.clear();  // releases the segment files
  touch();
  drop_written(out_frames_);
  read_header();  // resumes reading if it had paused for backpressure
  write_ready();
}

void Connection::send_file() {
  protocol::FileRange& r = files_[next_file_].range;
  while (r.size > 0) {
    off_t off = static_cast<off_t>(r.offset);
    ssize_t n = ::sendfile(socket_.native_handle(), r.fd, &off, r.size);
    if (n > 0) {
      r.offset += static_cast<uint64_t>(n);
      r.size -= static_cast<uint32_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      socket_.async_wait(asio::ip::tcp::socket::wait_write,
                         [self = shared_from_this()](std::error_code ec) {
                           if (ec || self->closed_) return self->fail_write();
                           self->send_file();
                         });
      return;
    }
    // The file ended early or the socket failed: the frame cannot be completed.
    spdlog::debug("sendfile: {}", n < 0 ? std::strerror(errno) : "short file");
    return fail_write();
  }
  ++next_file_;
  send_next();
}

void Connection::fail_write() {
  writing_ = false;
  files_.clear();
  close();
}

}  // namespace sluice::server
