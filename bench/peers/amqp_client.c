/* RabbitMQ (AMQP 0-9-1) client for bench/compare.sh (rabbitmq-c).
 * usage: amqp_client PORT SYSTEM A|B QUEUE MSGS SIZE WINDOW [RATE]
 * The queue type is the part of SYSTEM after the last '-': rabbitmq-quorum | -classic | -stream.
 * A durable queue of that type per run; persistent messages (delivery_mode 2) to the default
 * exchange with publisher confirms, <= WINDOW unconfirmed. B consumer: second connection,
 * basic.qos prefetch 1000, manual ack per message (streams: x-stream-offset=first). */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <pthread.h>
#include <sys/time.h>

#include "peer_bench.h"

static pb_args A;
static const char* qtype;
static pb_hist ack_h, e2e_h;
static int64_t* ring; /* stamp of delivery tag t at ring[(t-1) % window] */
static long confirmed, nacks;
static volatile long received;
static volatile int consumer_ready;
static int64_t last_recv, last_ack;

static void ok_or_die(amqp_rpc_reply_t r, const char* what) {
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return;
  fprintf(stderr, "fatal: %s (reply %d, %s)\n", what, r.reply_type,
          amqp_error_string2(r.library_error));
  exit(1);
}

static amqp_connection_state_t open_channel(void) {
  amqp_connection_state_t c = amqp_new_connection();
  amqp_socket_t* s = amqp_tcp_socket_new(c);
  if (!s || amqp_socket_open(s, "127.0.0.1", A.port)) pb_die("amqp connect");
  ok_or_die(amqp_login(c, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), "login");
  amqp_channel_open(c, 1);
  ok_or_die(amqp_get_rpc_reply(c), "channel.open");
  return c;
}

static void* consumer(void* arg) {
  (void)arg;
  amqp_connection_state_t c = open_channel();
  amqp_basic_qos(c, 1, 0, 1000, 0);
  ok_or_die(amqp_get_rpc_reply(c), "basic.qos");
  amqp_table_entry_t e = {amqp_cstring_bytes("x-stream-offset"), {AMQP_FIELD_KIND_UTF8, {0}}};
  e.value.value.bytes = amqp_cstring_bytes("first");
  amqp_table_t args = {strcmp(qtype, "stream") == 0, &e};
  amqp_basic_consume(c, 1, amqp_cstring_bytes(A.name), amqp_empty_bytes, 0, 0, 0, args);
  ok_or_die(amqp_get_rpc_reply(c), "basic.consume");
  consumer_ready = 1;
  while (received < A.msgs) {
    amqp_envelope_t env;
    struct timeval tv = {10, 0};
    amqp_maybe_release_buffers(c);
    if (amqp_consume_message(c, &env, &tv, 0).reply_type != AMQP_RESPONSE_NORMAL) {
      fprintf(stderr, "consumer: stopped\n");
      break;
    }
    int64_t t = pb_now();
    if (env.message.body.len >= 16) {
      pb_record(&e2e_h, t - pb_stamp_of(env.message.body.bytes));
      received++;
    }
    last_recv = t;
    amqp_basic_ack(c, 1, env.delivery_tag, 0);
    amqp_destroy_envelope(&env);
  }
  amqp_connection_close(c, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(c);
  return NULL;
}

/* Confirms arrive in publish order on one channel; `multiple` covers every tag up to it. */
static void on_frame(amqp_frame_t* f) {
  if (f->frame_type != AMQP_FRAME_METHOD) return;
  uint64_t tag;
  int multiple;
  if (f->payload.method.id == AMQP_BASIC_ACK_METHOD) {
    amqp_basic_ack_t* m = f->payload.method.decoded;
    tag = m->delivery_tag;
    multiple = m->multiple;
  } else if (f->payload.method.id == AMQP_BASIC_NACK_METHOD) {
    amqp_basic_nack_t* m = f->payload.method.decoded;
    tag = m->delivery_tag;
    multiple = m->multiple;
    nacks++;
  } else {
    return;
  }
  int64_t t = pb_now();
  for (long d = multiple ? confirmed + 1 : (long)tag; d <= (long)tag; d++)
    pb_record(&ack_h, t - ring[(d - 1) % A.window]);
  confirmed = (long)tag;
  last_ack = t;
}

/* wait up to timeout_ns (< 0: forever) for one frame; 1 if one was handled */
static int pump(amqp_connection_state_t c, int64_t timeout_ns) {
  amqp_frame_t f;
  int rc;
  if (timeout_ns < 0) {
    rc = amqp_simple_wait_frame(c, &f);
  } else {
    struct timeval tv = {timeout_ns / 1000000000LL, (timeout_ns % 1000000000LL) / 1000};
    rc = amqp_simple_wait_frame_noblock(c, &f, &tv);
  }
  if (rc == AMQP_STATUS_OK)
    on_frame(&f);
  else if (rc != AMQP_STATUS_TIMEOUT)
    pb_die("wait frame");
  if (!amqp_frames_enqueued(c) && !amqp_data_in_buffer(c)) amqp_maybe_release_buffers(c);
  return rc == AMQP_STATUS_OK;
}

int main(int argc, char** argv) {
  A = pb_parse(argc, argv, "amqp_client PORT SYSTEM A|B QUEUE MSGS SIZE WINDOW [RATE]");
  qtype = strrchr(A.system, '-') ? strrchr(A.system, '-') + 1 : "classic";
  amqp_connection_state_t c = open_channel();
  amqp_table_entry_t e = {amqp_cstring_bytes("x-queue-type"), {AMQP_FIELD_KIND_UTF8, {0}}};
  e.value.value.bytes = amqp_cstring_bytes(qtype);
  amqp_table_t qargs = {1, &e};
  amqp_queue_declare(c, 1, amqp_cstring_bytes(A.name), 0, /*durable*/ 1, 0, 0, qargs);
  ok_or_die(amqp_get_rpc_reply(c), "queue.declare");
  amqp_confirm_select(c, 1);
  ok_or_die(amqp_get_rpc_reply(c), "confirm.select");

  ring = calloc((size_t)A.window, 8);
  char* buf = pb_payload(A.size);
  amqp_basic_properties_t props = {0};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = 2;
  amqp_bytes_t body = {(size_t)A.size, buf};
  pthread_t th;
  if (A.workload == 'B') {
    pthread_create(&th, NULL, consumer, NULL);
    while (!consumer_ready) pb_sleep_until(pb_now() + 1000000);
  }
  int64_t t0 = pb_now();
  for (long i = 0; i < A.msgs; i++) {
    int64_t stamp = 0;
    if (A.workload == 'B') {
      stamp = pb_slot(t0, i, A.rate);
      for (int64_t now; (now = pb_now()) < stamp;) pump(c, stamp - now);
    } else {
      while (pump(c, 0)) {
      }
    }
    while (i - confirmed >= A.window) pump(c, -1);
    if (A.workload != 'B') stamp = pb_now();
    pb_stamp(buf, stamp, i);
    ring[i % A.window] = stamp;
    if (amqp_basic_publish(c, 1, amqp_empty_bytes, amqp_cstring_bytes(A.name), 0, 0, &props, body))
      pb_die("basic.publish");
  }
  while (confirmed < A.msgs) pump(c, -1);
  if (nacks) fprintf(stderr, "warning: %ld nacks\n", nacks);
  if (A.workload == 'A') {
    pb_report(A.system, "A", confirmed, A.size, (last_ack - t0) / 1e9, &ack_h);
  } else {
    pthread_join(th, NULL);
    if (received < A.msgs) fprintf(stderr, "warning: received %ld of %ld\n", received, A.msgs);
    pb_report(A.system, "B", received, A.size, (last_recv - t0) / 1e9, &e2e_h);
  }
  amqp_queue_delete(c, 1, amqp_cstring_bytes(A.name), 0, 0);
  amqp_connection_close(c, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(c);
  return 0;
}
