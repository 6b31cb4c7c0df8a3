/* NATS JetStream client for bench/compare.sh (libnats).
 * usage: nats_client PORT SYSTEM A|B STREAM MSGS SIZE WINDOW [RATE]
 * A fresh file-storage stream (R1) per run. Producer: js_PublishAsync with
 * PublishAsync.MaxPending = WINDOW; the ack handler measures send -> ack from the payload stamp.
 * B consumer: push subscription, DeliverAll, AckExplicit (the library acks after the callback). */
#include <nats/nats.h>
#include <unistd.h>

#include "peer_bench.h"

static pb_args A;
static pb_hist ack_h, e2e_h; /* ack_h: ack thread only; e2e_h: delivery thread only */
static volatile long acked, failed, received;
static int64_t last_ack, last_recv;

static void check(natsStatus s, const char* what) {
  if (s == NATS_OK) return;
  fprintf(stderr, "fatal: %s: %s\n", what, natsStatus_GetText(s));
  nats_PrintLastErrorStack(stderr);
  exit(1);
}

static void on_ack(jsCtx* js, natsMsg* m, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  (void)js;
  (void)closure;
  int64_t t = pb_now();
  const char* d = natsMsg_GetData(m);
  if (pa && d && natsMsg_GetDataLength(m) >= 16) {
    pb_record(&ack_h, t - pb_stamp_of(d));
    last_ack = t;
  }
  if (pae) __atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&acked, 1, __ATOMIC_RELEASE);
  natsMsg_Destroy(m);
}

static void on_msg(natsConnection* nc, natsSubscription* sub, natsMsg* m, void* closure) {
  (void)nc;
  (void)sub;
  (void)closure;
  int64_t t = pb_now();
  if (natsMsg_GetDataLength(m) >= 16) {
    pb_record(&e2e_h, t - pb_stamp_of(natsMsg_GetData(m)));
    received++;
  }
  last_recv = t;
  natsMsg_Destroy(m);
}

int main(int argc, char** argv) {
  A = pb_parse(argc, argv, "nats_client PORT SYSTEM A|B STREAM MSGS SIZE WINDOW [RATE]");
  char url[64], subj[160];
  snprintf(url, sizeof url, "nats://127.0.0.1:%d", A.port);
  snprintf(subj, sizeof subj, "%s.data", A.name);

  natsOptions* opts = NULL;
  natsConnection* nc = NULL;
  jsCtx* js = NULL;
  check(natsOptions_Create(&opts), "options");
  check(natsOptions_SetURL(opts, url), "url");
  check(natsConnection_Connect(&nc, opts), "connect");
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = A.window;
  jo.PublishAsync.AckHandler = on_ack;
  jo.PublishAsync.StallWait = 60000;
  check(natsConnection_JetStream(&js, nc, &jo), "jetstream");

  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  const char* subjects[] = {subj};
  sc.Name = A.name;
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  sc.Replicas = 1;
  jsErrCode jerr = 0;
  jsStreamInfo* si = NULL;
  js_DeleteStream(js, A.name, NULL, &jerr);
  check(js_AddStream(&si, js, &sc, NULL, &jerr), "add stream");
  jsStreamInfo_Destroy(si);

  natsSubscription* sub = NULL;
  if (A.workload == 'B') {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = A.name;
    so.Config.DeliverPolicy = js_DeliverAll;
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.MaxAckPending = 1000;
    check(js_Subscribe(&sub, js, subj, on_msg, NULL, &jo, &so, &jerr), "subscribe");
    natsSubscription_SetPendingLimits(sub, -1, -1);
  }
  char* buf = pb_payload(A.size);
  int64_t t0 = pb_now();
  for (long i = 0; i < A.msgs; i++) {
    int64_t stamp;
    if (A.workload == 'B') {
      stamp = pb_slot(t0, i, A.rate);
      pb_sleep_until(stamp);
    } else
      stamp = pb_now();
    pb_stamp(buf, stamp, i);
    /* blocks (StallWait) while WINDOW acks are pending */
    check(js_PublishAsync(js, subj, buf, (int)A.size, NULL), "publish");
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 120000;
  check(js_PublishAsyncComplete(js, &po), "publish complete");
  while (__atomic_load_n(&acked, __ATOMIC_ACQUIRE) < A.msgs) usleep(500);
  if (failed) fprintf(stderr, "warning: %ld publish errors\n", failed);
  if (A.workload == 'A') {
    pb_report(A.system, "A", acked - failed, A.size, (last_ack - t0) / 1e9, &ack_h);
  } else {
    for (int w = 0; w < 20000 && received < A.msgs; w++) usleep(500);
    if (received < A.msgs) fprintf(stderr, "warning: received %ld of %ld\n", received, A.msgs);
    natsSubscription_Unsubscribe(sub);
    pb_report(A.system, "B", received, A.size, (last_recv - t0) / 1e9, &e2e_h);
    natsSubscription_Destroy(sub);
  }
  js_DeleteStream(js, A.name, NULL, &jerr);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  natsOptions_Destroy(opts);
  nats_Close();
  return 0;
}
