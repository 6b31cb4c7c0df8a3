#define _GNU_SOURCE
/* Redis Streams client for bench/compare.sh (hiredis).
 * usage: redis_client PORT SYSTEM A|B KEY MSGS SIZE WINDOW [RATE]
 * Producer: XADD KEY * d <payload>, pipelined, <= WINDOW replies outstanding (replies come in
 * order, so a ring of send times is enough). B consumer: XREAD COUNT 1000 BLOCK on a second
 * connection. */
#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>

#include "peer_bench.h"

static pb_args A;
static pb_hist ack_h, e2e_h;
static int64_t* ring; /* send stamp of message i at ring[i % window] */
static long sent, replied;
static volatile long received;
static int64_t last_recv;

static redisContext* connect_redis(void) {
  redisContext* c = redisConnect("127.0.0.1", A.port);
  if (!c || c->err) pb_die("redis connect");
  return c;
}

static void* consumer(void* arg) {
  (void)arg;
  redisContext* c = connect_redis();
  char last[64] = "0-0";
  while (received < A.msgs) {
    redisReply* r = redisCommand(c, "XREAD COUNT 1000 BLOCK 10000 STREAMS %s %s", A.name, last);
    if (!r) pb_die("xread");
    if (r->type != REDIS_REPLY_ARRAY) {
      freeReplyObject(r);
      fprintf(stderr, "consumer: timeout\n");
      break;
    }
    int64_t t = pb_now();
    redisReply* entries = r->element[0]->element[1];
    for (size_t i = 0; i < entries->elements; i++) {
      redisReply *e = entries->element[i], *fv = e->element[1];
      if (fv->elements >= 2 && fv->element[1]->len >= 16) {
        pb_record(&e2e_h, t - pb_stamp_of(fv->element[1]->str));
        received++;
      }
      snprintf(last, sizeof last, "%s", e->element[0]->str);
    }
    last_recv = t;
    freeReplyObject(r);
  }
  redisFree(c);
  return NULL;
}

static void take_replies(redisContext* c) {
  void* r;
  while (redisReaderGetReply(c->reader, &r) == REDIS_OK && r) {
    redisReply* rr = r;
    if (rr->type == REDIS_REPLY_ERROR) {
      fprintf(stderr, "XADD: %s\n", rr->str);
      exit(1);
    }
    pb_record(&ack_h, pb_now() - ring[replied % A.window]);
    replied++;
    freeReplyObject(r);
  }
}

static void write_all(redisContext* c) {
  int done = 0;
  while (!done)
    if (redisBufferWrite(c, &done) != REDIS_OK) pb_die("write");
}

/* wait for replies up to timeout_ns (< 0: until some arrive) */
static void await(redisContext* c, int64_t timeout_ns) {
  struct pollfd p = {c->fd, POLLIN, 0};
  struct timespec ts = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
  if (ppoll(&p, 1, timeout_ns < 0 ? NULL : &ts, NULL) > 0) {
    if (redisBufferRead(c) != REDIS_OK) pb_die("read");
    take_replies(c);
  }
}

int main(int argc, char** argv) {
  A = pb_parse(argc, argv, "redis_client PORT SYSTEM A|B KEY MSGS SIZE WINDOW [RATE]");
  redisContext* c = connect_redis();
  freeReplyObject(redisCommand(c, "DEL %s", A.name));
  ring = calloc((size_t)A.window, 8);
  char* buf = pb_payload(A.size);
  pthread_t th;
  if (A.workload == 'B') pthread_create(&th, NULL, consumer, NULL);
  int64_t t0 = pb_now();
  while (sent < A.msgs) {
    int64_t stamp = 0;
    if (A.workload == 'B') {
      stamp = pb_slot(t0, sent, A.rate);
      for (int64_t now; (now = pb_now()) < stamp;) await(c, stamp - now);
    }
    while (sent - replied >= A.window) await(c, -1);
    if (A.workload != 'B') stamp = pb_now();
    pb_stamp(buf, stamp, sent);
    ring[sent % A.window] = stamp;
    redisAppendCommand(c, "XADD %s * d %b", A.name, buf, (size_t)A.size);
    sent++;
    /* A: batch up to the window before writing; B: write each message at its slot */
    if (A.workload == 'B' || sent - replied >= A.window || sent == A.msgs) write_all(c);
  }
  while (replied < A.msgs) await(c, -1);
  int64_t t1 = pb_now();
  if (A.workload == 'A') {
    pb_report(A.system, "A", replied, A.size, (t1 - t0) / 1e9, &ack_h);
  } else {
    pthread_join(th, NULL);
    if (received < A.msgs) fprintf(stderr, "warning: received %ld of %ld\n", received, A.msgs);
    pb_report(A.system, "B", received, A.size, (last_recv - t0) / 1e9, &e2e_h);
  }
  freeReplyObject(redisCommand(c, "DEL %s", A.name));
  redisFree(c);
  return 0;
}
