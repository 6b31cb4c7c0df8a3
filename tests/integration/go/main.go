// franzclient drives franz-go (github.com/twmb/franz-go, kgo and kadm, pinned in go.mod) against
// a sluiced broker for test_franz_go.py. Several steps run in one process:
//
//	bin/franzclient bootstrap=127.0.0.1:PORT deadline_ms=60000 \
//	    produce topic=T count=1000 keys=100 \
//	    consume topic=T count=1000 isolation=read_committed
//
// A step starts at its verb; name=value after it sets an option of that step. Options left out
// leave the client at franz-go's own defaults (its producer is idempotent by default, its
// consumer reads uncommitted). Output is JSON lines on stdout, one object a line, each with a
// "type":
//
//	produce topic count [keys] [partition]: {"type":"ack","i","key","value","partition","offset",
//	    "producer_id","producer_epoch"} per acknowledged record, {"type":"send_error","i","error"}
//	    per failed one, then {"type":"produced","acked","failed","first_error","ms"}. Keys are
//	    k<i % keys> (none when keys=0), values v<i>.
//	consume topic [count] [isolation=read_committed|read_uncommitted] [keep_control=1]
//	    [settle_ms] [timeout_ms]: a direct (group-less) consumer from the start of every
//	    partition; {"type":"record","partition","offset","key","value","control",
//	    "control_type","producer_id","compression"} per record until count are read, and settle_ms longer (so a
//	    surplus shows), then {"type":"consumed","count","ms"}.
//	group-consume topic group [members=2] count [max_poll=100] [settle_ms] [describe=1]: members
//	    consumers in one group (kgo.ConsumerGroup), auto-commit off, rebalances blocked while a
//	    poll is handled, and each poll committed (CommitUncommittedOffsets) before the next. They
//	    poll once all of them have an assignment; they stop when count records are read between
//	    them (and settle_ms after). {"type":"assigned","member","partitions"} per assignment,
//	    {"type":"record","member","partition","offset","key","value"} per record; with describe=1
//	    the live group as kadm describes it ({"type":"live_group",...}); then
//	    {"type":"group_consumed","count","committed":{partition: offset}} from kadm.FetchOffsets.
//	transact topic txn_id plan=cac [per_txn=10]: one transactional producer (kgo.TransactionalID),
//	    one transaction per letter of plan, c committed and a aborted (flushed first, so the
//	    records are in the log). Values t<n>-<k>. {"type":"txn","n","end"} per transaction, then
//	    {"type":"transacted","committed","aborted"}.
//	eos input output group txn_id [instance] [max_poll=100] [pause_ms=0]: consume-transform-
//	    produce with kgo.GroupTransactSession (read_committed, require_stable offsets): each poll
//	    becomes one transaction writing "out-"+value with the same key to the same partition of
//	    output, the input offsets committed in it. {"type":"pending","n","records"} once a
//	    transaction's records are flushed to the broker and before it is ended (pause_ms then
//	    passes, a window to kill the process in), {"type":"ended","n","committed","records"} after
//	    End; it stops by itself once the group's committed offsets reach the input's end:
//	    {"type":"eos_done","transactions","committed_records"}.
//	describe-producers topic: {"type":"producers","partition","producers":[{"id","epoch",
//	    "last_sequence"}]} per partition (kadm.DescribeProducers, KIP-664).
//	admin ops (kadm), one line each with the result or its "error":
//	    create-topic topic partitions [config.NAME=VALUE...] -> {"type":"created",...}
//	    list-topics -> {"type":"topics","topics":{name: partitions}}
//	    describe-configs topic -> {"type":"configs","configs":{name: value}}
//	    alter-configs topic [config.NAME=VALUE...] -> {"type":"altered",...} (incremental SET)
//	    create-partitions topic add -> {"type":"partitions_created",...}
//	    list-offsets topic -> {"type":"offsets","start":{p: o},"end":{p: o}}
//	    delete-records topic partition offset -> {"type":"records_deleted","low_watermark"}
//	    describe-group group -> {"type":"group","state","protocol_type","protocol","members"}
//	    list-groups -> {"type":"groups","groups":{name: state}}
//	    lag group -> {"type":"lag","state","lag":{p: {"commit","end","lag"}}}
//	    delete-group group -> {"type":"group_deleted",...}; delete-topic topic -> {"type":"topic_deleted",...}
//	    describe-txn txn_id -> {"type":"txn_state","state","producer_id","producer_epoch",
//	        "timeout_ms","topics"} (DescribeTransactions)
//	    list-txns -> {"type":"txns","txns":{id: {"state","producer_id"}}} (ListTransactions)
//
// A step that fails prints {"type":"error","step","error"} and the program exits 1 without running
// the later steps. deadline_ms bounds the whole run (exit 3).
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

type obj = map[string]any

var (
	outMu sync.Mutex
	out   = bufio.NewWriterSize(os.Stdout, 1<<16)
)

// emit prints one JSON line. Lines are buffered; flush happens at exit, and after the lines a
// test waits on to kill the process (pending), so that those are never lost in the buffer.
func emit(kind string, fields obj) {
	fields["type"] = kind
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	outMu.Lock()
	defer outMu.Unlock()
	out.Write(b)
	out.WriteByte('\n')
}

func flushOut() {
	outMu.Lock()
	defer outMu.Unlock()
	out.Flush()
}

func exit(code int) {
	flushOut()
	os.Exit(code)
}

type step struct {
	verb string
	opts map[string]string
}

func (s step) str(name string) string {
	v, ok := s.opts[name]
	if !ok {
		panic(fmt.Sprintf("%s: missing %s=", s.verb, name))
	}
	return v
}

func (s step) strOr(name, dflt string) string {
	if v, ok := s.opts[name]; ok {
		return v
	}
	return dflt
}

func (s step) num(name string, dflt int) int {
	v, ok := s.opts[name]
	if !ok {
		if dflt < 0 {
			panic(fmt.Sprintf("%s: missing %s=", s.verb, name))
		}
		return dflt
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		panic(fmt.Sprintf("%s: %s=%q is not a number", s.verb, name, v))
	}
	return n
}

func (s step) ms(name string, dflt int) time.Duration {
	return time.Duration(s.num(name, dflt)) * time.Millisecond
}

// configs returns the config.NAME=VALUE options as NAME -> VALUE.
func (s step) configs() map[string]string {
	m := map[string]string{}
	for k, v := range s.opts {
		if name, ok := strings.CutPrefix(k, "config."); ok {
			m[name] = v
		}
	}
	return m
}

var verbs = map[string]func(context.Context, string, step) error{
	"produce":            produce,
	"consume":            consume,
	"group-consume":      groupConsume,
	"transact":           transact,
	"eos":                eos,
	"describe-producers": describeProducers,
	"log-dirs":           logDirs,
	"create-topic":       createTopic,
	"list-topics":        listTopics,
	"describe-configs":   describeConfigs,
	"alter-configs":      alterConfigs,
	"create-partitions":  createPartitions,
	"list-offsets":       listOffsets,
	"delete-records":     deleteRecords,
	"describe-group":     describeGroup,
	"list-groups":        listGroups,
	"lag":                lag,
	"delete-group":       deleteGroup,
	"delete-topic":       deleteTopic,
	"describe-txn":       describeTxn,
	"list-txns":          listTxns,
}

func main() {
	global := map[string]string{}
	var steps []step
	for _, a := range os.Args[1:] {
		if _, ok := verbs[a]; ok {
			steps = append(steps, step{a, map[string]string{}})
			continue
		}
		name, value, ok := strings.Cut(a, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "expected name=value or a verb, got %q\n", a)
			os.Exit(2)
		}
		if len(steps) == 0 {
			global[name] = value
		} else {
			steps[len(steps)-1].opts[name] = value
		}
	}
	bootstrap := global["bootstrap"]
	if bootstrap == "" {
		fmt.Fprintln(os.Stderr, "missing bootstrap=")
		os.Exit(2)
	}
	deadline := 60000
	if v, ok := global["deadline_ms"]; ok {
		deadline, _ = strconv.Atoi(v)
	}
	time.AfterFunc(time.Duration(deadline)*time.Millisecond, func() {
		emit("error", obj{"step": -1, "error": fmt.Sprintf("deadline of %d ms passed", deadline)})
		exit(3)
	})
	ctx := context.Background()
	for i, s := range steps {
		if err := runStep(ctx, bootstrap, s); err != nil {
			emit("error", obj{"step": i, "verb": s.verb, "error": err.Error()})
			exit(1)
		}
	}
	exit(0)
}

func runStep(ctx context.Context, bootstrap string, s step) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return verbs[s.verb](ctx, bootstrap, s)
}

func errString(err error) any {
	if err == nil {
		return nil
	}
	return err.Error()
}

// logger puts franz-go's warnings and errors on stderr, which a failing test shows.
func logger() kgo.Opt {
	return kgo.WithLogger(kgo.BasicLogger(os.Stderr, kgo.LogLevelWarn, nil))
}

func newClient(bootstrap string, opts ...kgo.Opt) (*kgo.Client, error) {
	return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(bootstrap), logger()}, opts...)...)
}

func newAdmin(bootstrap string) (*kadm.Client, error) {
	cl, err := newClient(bootstrap)
	if err != nil {
		return nil, err
	}
	return kadm.NewClient(cl), nil
}

func withAdmin(bootstrap string, f func(*kadm.Client) error) error {
	adm, err := newAdmin(bootstrap)
	if err != nil {
		return err
	}
	defer adm.Close()
	return f(adm)
}

func opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 15*time.Second)
}

// adminOp runs one admin step: f gets a fresh admin client and a context bounding its requests.
func adminOp(ctx context.Context, bootstrap string, f func(context.Context, *kadm.Client) error) error {
	return withAdmin(bootstrap, func(adm *kadm.Client) error {
		octx, cancel := opCtx(ctx)
		defer cancel()
		return f(octx, adm)
	})
}

// orErr is the request's error, else the result's own.
func orErr(err, resultErr error) error {
	if err != nil {
		return err
	}
	return resultErr
}

func keyString(k []byte) any {
	if k == nil {
		return nil
	}
	return string(k)
}

// ---------------------------------------------------------------------------------- produce

func produce(ctx context.Context, bootstrap string, s step) error {
	t0 := time.Now()
	topic := s.str("topic")
	count, keys := s.num("count", -1), s.num("keys", 0)
	cl, err := newClient(bootstrap, kgo.DefaultProduceTopic(topic),
		kgo.RecordDeliveryTimeout(20*time.Second))
	if err != nil {
		return err
	}
	defer cl.Close()
	var acked, failed atomic.Int64
	var firstErr atomic.Value
	for i := 0; i < count; i++ {
		r := &kgo.Record{Value: []byte("v" + strconv.Itoa(i))}
		var key any
		if keys > 0 {
			r.Key = []byte("k" + strconv.Itoa(i%keys))
			key = string(r.Key)
		}
		i := i
		cl.Produce(ctx, r, func(r *kgo.Record, err error) {
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				emit("send_error", obj{"i": i, "error": err.Error()})
				return
			}
			acked.Add(1)
			emit("ack", obj{"i": i, "key": key, "value": string(r.Value), "partition": r.Partition,
				"offset": r.Offset, "producer_id": r.ProducerID, "producer_epoch": r.ProducerEpoch})
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	emit("produced", obj{"acked": acked.Load(), "failed": failed.Load(),
		"first_error": firstErr.Load(), "ms": time.Since(t0).Milliseconds()})
	if failed.Load() > 0 {
		return fmt.Errorf("%d of %d sends failed; first: %v", failed.Load(), count, firstErr.Load())
	}
	return nil
}

// ---------------------------------------------------------------------------------- consume

func isolation(s step) kgo.IsolationLevel {
	switch v := s.strOr("isolation", ""); v {
	case "read_committed":
		return kgo.ReadCommitted()
	case "read_uncommitted", "":
		return kgo.ReadUncommitted()
	default:
		panic("unknown isolation " + v)
	}
}

// controlType decodes a control record's key (version int16, type int16): 0 abort, 1 commit.
func controlType(r *kgo.Record) any {
	if !r.Attrs.IsControl() {
		return nil
	}
	if len(r.Key) < 4 {
		return -1
	}
	return int(binary.BigEndian.Uint16(r.Key[2:4]))
}

func consume(ctx context.Context, bootstrap string, s step) error {
	t0 := time.Now()
	count := s.num("count", 0)
	settle, timeout := s.ms("settle_ms", 0), s.ms("timeout_ms", 30000)
	opts := []kgo.Opt{kgo.ConsumeTopics(s.str("topic")),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(isolation(s)), kgo.FetchMaxWait(200 * time.Millisecond)}
	if s.strOr("keep_control", "0") == "1" {
		opts = append(opts, kgo.KeepControlRecords())
	}
	cl, err := newClient(bootstrap, opts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	seen := 0
	deadline := time.Now().Add(timeout)
	var stopAt time.Time // set once count is reached: settle_ms more
	for {
		now := time.Now()
		if now.After(deadline) || (!stopAt.IsZero() && now.After(stopAt)) {
			break
		}
		end := deadline
		if !stopAt.IsZero() {
			end = stopAt
		}
		pctx, cancel := context.WithDeadline(ctx, end)
		fs := cl.PollFetches(pctx)
		cancel()
		var ferr error
		fs.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				ferr = fmt.Errorf("fetch %s[%d]: %w", t, p, err)
			}
		})
		if ferr != nil {
			return ferr
		}
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				seen++
			}
			emit("record", obj{"partition": r.Partition, "offset": r.Offset, "key": keyString(r.Key),
				"value": string(r.Value), "control": r.Attrs.IsControl(),
				"control_type": controlType(r), "producer_id": r.ProducerID,
				"compression": r.Attrs.CompressionType()})
		})
		if stopAt.IsZero() && seen >= count {
			stopAt = time.Now().Add(settle)
		}
	}
	emit("consumed", obj{"count": seen, "ms": time.Since(t0).Milliseconds()})
	if seen < count {
		return fmt.Errorf("consumed %d/%d within %v", seen, count, timeout)
	}
	return nil
}

// ---------------------------------------------------------------------------- group-consume

func committedOffsets(ctx context.Context, adm *kadm.Client, group, topic string) (map[string]int64, error) {
	octx, cancel := opCtx(ctx)
	defer cancel()
	offs, err := adm.FetchOffsets(octx, group)
	if err != nil {
		return nil, err
	}
	if err := offs.Error(); err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for p, o := range offs[topic] {
		m[strconv.Itoa(int(p))] = o.At
	}
	return m, nil
}

func groupConsume(ctx context.Context, bootstrap string, s step) error {
	topic, group := s.str("topic"), s.str("group")
	members, count := s.num("members", 2), s.num("count", -1)
	maxPoll, settle := s.num("max_poll", 100), s.ms("settle_ms", 0)
	ctx, cancel := context.WithTimeout(ctx, s.ms("timeout_ms", 40000))
	defer cancel()
	var total atomic.Int64
	var assignedMembers sync.WaitGroup
	assignedMembers.Add(members)
	clients := make([]*kgo.Client, members)
	for m := range clients {
		var once sync.Once
		cl, err := newClient(bootstrap, kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(),
			kgo.BlockRebalanceOnPoll(), kgo.FetchMaxWait(200*time.Millisecond),
			kgo.ClientID(fmt.Sprintf("franz-member-%d", m)),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) {
				ps := append([]int32(nil), a[topic]...)
				sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
				emit("assigned", obj{"member": m, "partitions": ps})
				if len(ps) > 0 {
					once.Do(assignedMembers.Done)
				}
			}))
		if err != nil {
			return err
		}
		clients[m] = cl
	}
	defer func() {
		for _, cl := range clients {
			cl.Close() // leaves the group
		}
	}()
	// Everyone polls only once every member has partitions, so that all of them take part.
	ready := make(chan struct{})
	go func() { assignedMembers.Wait(); close(ready) }()
	select {
	case <-ready:
	case <-ctx.Done():
		return errors.New("not every member got an assignment in time")
	}
	stop := make(chan struct{})
	var stopOnce sync.Once
	errs := make(chan error, members)
	var wg sync.WaitGroup
	for m, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					errs <- fmt.Errorf("member %d: %w", m, ctx.Err())
					return
				default:
				}
				pctx, pcancel := context.WithTimeout(ctx, 300*time.Millisecond)
				fs := cl.PollRecords(pctx, maxPoll)
				pcancel()
				var ferr error
				fs.EachError(func(t string, p int32, err error) {
					if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
						ferr = fmt.Errorf("member %d fetch %s[%d]: %w", m, t, p, err)
					}
				})
				n := 0
				fs.EachRecord(func(r *kgo.Record) {
					n++
					emit("record", obj{"member": m, "partition": r.Partition, "offset": r.Offset,
						"key": keyString(r.Key), "value": string(r.Value)})
				})
				if n > 0 {
					if err := cl.CommitUncommittedOffsets(ctx); err != nil {
						ferr = fmt.Errorf("member %d commit: %w", m, err)
					}
				}
				cl.AllowRebalance()
				if ferr != nil {
					errs <- ferr
					return
				}
				if total.Add(int64(n)) >= int64(count) {
					stopOnce.Do(func() { time.AfterFunc(settle, func() { close(stop) }) })
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	adm := kadm.NewClient(clients[0])
	if s.strOr("describe", "0") == "1" {
		if err := emitGroup(ctx, adm, group, "live_group"); err != nil {
			return err
		}
	}
	committed, err := committedOffsets(ctx, adm, group, topic)
	if err != nil {
		return err
	}
	emit("group_consumed", obj{"count": total.Load(), "committed": committed})
	return nil
}

// ---------------------------------------------------------------------------- transactions

func transact(ctx context.Context, bootstrap string, s step) error {
	topic, plan, perTxn := s.str("topic"), s.str("plan"), s.num("per_txn", 10)
	cl, err := newClient(bootstrap, kgo.DefaultProduceTopic(topic),
		kgo.TransactionalID(s.str("txn_id")), kgo.RecordDeliveryTimeout(20*time.Second))
	if err != nil {
		return err
	}
	defer cl.Close()
	committed, aborted := 0, 0
	for n, c := range plan {
		if err := cl.BeginTransaction(); err != nil {
			return err
		}
		for k := 0; k < perTxn; k++ {
			r := &kgo.Record{Key: []byte("k" + strconv.Itoa(k)),
				Value: []byte(fmt.Sprintf("t%d-%d", n, k))}
			if res := cl.ProduceSync(ctx, r); res.FirstErr() != nil {
				return res.FirstErr()
			}
		}
		end, how := kgo.TryCommit, "commit"
		if c == 'a' {
			end, how = kgo.TryAbort, "abort"
			aborted++
		} else {
			committed++
		}
		ectx, cancel := opCtx(ctx)
		err := cl.EndTransaction(ectx, end)
		cancel()
		if err != nil {
			return fmt.Errorf("transaction %d (%s): %w", n, how, err)
		}
		emit("txn", obj{"n": n, "end": how})
	}
	emit("transacted", obj{"committed": committed, "aborted": aborted})
	return nil
}

func eos(ctx context.Context, bootstrap string, s step) error {
	input, output, group := s.str("input"), s.str("output"), s.str("group")
	maxPoll, pause := s.num("max_poll", 100), s.ms("pause_ms", 0)
	opts := []kgo.Opt{kgo.ConsumerGroup(group), kgo.ConsumeTopics(input),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.TransactionalID(s.str("txn_id")),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.RequireStableFetchOffsets(),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.FetchMaxWait(200 * time.Millisecond)}
	if id := s.strOr("instance", ""); id != "" {
		opts = append(opts, kgo.InstanceID(id)) // a restart replaces the dead member at once
	}
	sess, err := kgo.NewGroupTransactSession(append([]kgo.Opt{kgo.SeedBrokers(bootstrap), logger()},
		opts...)...)
	if err != nil {
		return err
	}
	defer sess.Close()
	adm := kadm.NewClient(sess.Client())
	txns, records := 0, 0
	for {
		pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		fs := sess.PollRecords(pctx, maxPoll)
		cancel()
		var ferr error
		fs.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				ferr = fmt.Errorf("fetch %s[%d]: %w", t, p, err)
			}
		})
		if ferr != nil {
			return ferr
		}
		if fs.Empty() {
			done, err := caughtUp(ctx, adm, group, input)
			if err != nil {
				return err
			}
			if done {
				emit("eos_done", obj{"transactions": txns, "committed_records": records})
				return nil
			}
			continue
		}
		if err := sess.Begin(); err != nil {
			return err
		}
		n := 0
		var perr atomic.Value
		fs.EachRecord(func(r *kgo.Record) {
			n++
			o := &kgo.Record{Topic: output, Partition: r.Partition, Key: r.Key,
				Value: append([]byte("out-"), r.Value...)}
			sess.Produce(ctx, o, func(_ *kgo.Record, err error) {
				if err != nil {
					perr.CompareAndSwap(nil, err)
				}
			})
		})
		if err := sess.Client().Flush(ctx); err != nil {
			return err
		}
		emit("pending", obj{"n": txns, "records": n})
		flushOut()
		time.Sleep(pause)
		ectx, cancel := opCtx(ctx)
		committed, err := sess.End(ectx, kgo.TryCommit)
		cancel()
		if err != nil {
			return fmt.Errorf("End of transaction %d: %w", txns, err)
		}
		emit("ended", obj{"n": txns, "committed": committed, "records": n,
			"produce_error": errString(func() error { e, _ := perr.Load().(error); return e }())})
		if committed {
			records += n
		}
		txns++
	}
}

// caughtUp tells whether the group's committed offsets are at the end of every input partition.
func caughtUp(ctx context.Context, adm *kadm.Client, group, topic string) (bool, error) {
	octx, cancel := opCtx(ctx)
	defer cancel()
	ends, err := adm.ListEndOffsets(octx, topic)
	if err != nil {
		return false, err
	}
	committed, err := committedOffsets(ctx, adm, group, topic)
	if err != nil {
		return false, err
	}
	done := true
	ends.Each(func(o kadm.ListedOffset) {
		if committed[strconv.Itoa(int(o.Partition))] != o.Offset {
			done = false
		}
	})
	return done, nil
}

// ---------------------------------------------------------------------------------- admin

func describeProducers(ctx context.Context, bootstrap string, s step) error {
	topic := s.str("topic")
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		md, err := adm.Metadata(octx, topic)
		if err != nil {
			return err
		}
		set := kadm.TopicsSet{}
		for _, p := range md.Topics[topic].Partitions {
			set.Add(topic, p.Partition)
		}
		res, err := adm.DescribeProducers(octx, set)
		if err != nil {
			return err
		}
		for _, p := range res[topic].Partitions {
			if p.Err != nil {
				return fmt.Errorf("partition %d: %w", p.Partition, p.Err)
			}
			list := []obj{}
			for _, ps := range p.ActiveProducers {
				list = append(list, obj{"id": ps.ProducerID, "epoch": ps.ProducerEpoch,
					"last_sequence": ps.LastSequence})
			}
			emit("producers", obj{"partition": p.Partition, "producers": list})
		}
		return nil
	})
}

func strPtrs(m map[string]string) map[string]*string {
	out := map[string]*string{}
	for k, v := range m {
		out[k] = &v
	}
	return out
}

func createTopic(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		r, err := adm.CreateTopic(octx, int32(s.num("partitions", 1)), 1, strPtrs(s.configs()),
			s.str("topic"))
		err = orErr(err, r.Err)
		emit("created", obj{"topic": r.Topic, "partitions": r.NumPartitions, "error": errString(err)})
		return nil
	})
}

func listTopics(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		td, err := adm.ListTopics(octx)
		if err != nil {
			return err
		}
		topics := obj{}
		for name, t := range td {
			if t.Err != nil {
				return fmt.Errorf("%s: %w", name, t.Err)
			}
			leaders := []int32{}
			for _, p := range t.Partitions.Sorted() {
				leaders = append(leaders, p.Leader)
			}
			topics[name] = obj{"partitions": len(t.Partitions), "leaders": leaders,
				"internal": t.IsInternal}
		}
		emit("topics", obj{"topics": topics})
		return nil
	})
}

func describeConfigs(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		rcs, err := adm.DescribeTopicConfigs(octx, s.str("topic"))
		if err != nil {
			return err
		}
		rc, err := rcs.On(s.str("topic"), nil)
		if err != nil {
			return err
		}
		if rc.Err != nil {
			return rc.Err
		}
		configs := obj{}
		for _, c := range rc.Configs {
			configs[c.Key] = c.MaybeValue()
		}
		emit("configs", obj{"configs": configs})
		return nil
	})
}

func alterConfigs(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		var alters []kadm.AlterConfig
		for k, v := range strPtrs(s.configs()) {
			alters = append(alters, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: v})
		}
		rs, err := adm.AlterTopicConfigs(octx, alters, s.str("topic"))
		if err == nil {
			for _, r := range rs {
				if r.Err != nil {
					err = r.Err
				}
			}
		}
		emit("altered", obj{"topic": s.str("topic"), "error": errString(err)})
		return nil
	})
}

func createPartitions(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		rs, err := adm.CreatePartitions(octx, s.num("add", -1), s.str("topic"))
		if err == nil {
			for _, r := range rs {
				if r.Err != nil {
					err = r.Err
				}
			}
		}
		emit("partitions_created", obj{"topic": s.str("topic"), "error": errString(err)})
		return nil
	})
}

func offsetsByPartition(l kadm.ListedOffsets) (obj, error) {
	m := obj{}
	var first error
	l.Each(func(o kadm.ListedOffset) {
		if o.Err != nil && first == nil {
			first = fmt.Errorf("%s[%d]: %w", o.Topic, o.Partition, o.Err)
		}
		m[strconv.Itoa(int(o.Partition))] = o.Offset
	})
	return m, first
}

func listOffsets(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		starts, err := adm.ListStartOffsets(octx, s.str("topic"))
		if err != nil {
			return err
		}
		ends, err := adm.ListEndOffsets(octx, s.str("topic"))
		if err != nil {
			return err
		}
		st, err := offsetsByPartition(starts)
		if err != nil {
			return err
		}
		en, err := offsetsByPartition(ends)
		if err != nil {
			return err
		}
		emit("offsets", obj{"start": st, "end": en})
		return nil
	})
}

func deleteRecords(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		offs := kadm.Offsets{}
		offs.AddOffset(s.str("topic"), int32(s.num("partition", -1)), int64(s.num("offset", -1)), -1)
		rs, err := adm.DeleteRecords(octx, offs)
		if err != nil {
			return err
		}
		r, err := rs.On(s.str("topic"), int32(s.num("partition", -1)), nil)
		err = orErr(err, r.Err)
		emit("records_deleted", obj{"low_watermark": r.LowWatermark, "error": errString(err)})
		return nil
	})
}

func emitGroup(ctx context.Context, adm *kadm.Client, group, kind string) error {
	octx, cancel := opCtx(ctx)
	defer cancel()
	gs, err := adm.DescribeGroups(octx, group)
	if err != nil {
		return err
	}
	g := gs[group]
	if g.Err != nil {
		return g.Err
	}
	members := []obj{}
	for _, m := range g.Members {
		assigned := obj{}
		if c, ok := m.Assigned.AsConsumer(); ok {
			for _, t := range c.Topics {
				ps := append([]int32(nil), t.Partitions...)
				sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
				assigned[t.Topic] = ps
			}
		}
		subscribed := []string{}
		if c, ok := m.Join.AsConsumer(); ok {
			subscribed = c.Topics
		}
		members = append(members, obj{"member_id": m.MemberID, "client_id": m.ClientID,
			"assigned": assigned, "subscribed": subscribed})
	}
	emit(kind, obj{"state": g.State, "protocol_type": g.ProtocolType, "protocol": g.Protocol,
		"members": members})
	return nil
}

func describeGroup(ctx context.Context, bootstrap string, s step) error {
	return withAdmin(bootstrap, func(adm *kadm.Client) error {
		return emitGroup(ctx, adm, s.str("group"), "group")
	})
}

func listGroups(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		ls, err := adm.ListGroups(octx)
		if err != nil {
			return err
		}
		groups := obj{}
		for name, g := range ls {
			groups[name] = g.State
		}
		emit("groups", obj{"groups": groups})
		return nil
	})
}

func lag(ctx context.Context, bootstrap string, s step) error {
	group := s.str("group")
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		lags, err := adm.Lag(octx, group)
		if err != nil {
			return err
		}
		l := lags[group]
		if err := l.Error(); err != nil {
			return err
		}
		out := obj{}
		for _, ps := range l.Lag {
			for p, ml := range ps {
				if ml.Err != nil {
					return fmt.Errorf("partition %d: %w", p, ml.Err)
				}
				out[strconv.Itoa(int(p))] = obj{"commit": ml.Commit.At, "end": ml.End.Offset,
					"lag": ml.Lag}
			}
		}
		emit("lag", obj{"state": l.State, "lag": out, "total": l.Lag.Total()})
		return nil
	})
}

func deleteGroup(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		r, err := adm.DeleteGroup(octx, s.str("group"))
		err = orErr(err, r.Err)
		emit("group_deleted", obj{"group": s.str("group"), "error": errString(err)})
		return nil
	})
}

func deleteTopic(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		r, err := adm.DeleteTopic(octx, s.str("topic"))
		err = orErr(err, r.Err)
		emit("topic_deleted", obj{"topic": s.str("topic"), "error": errString(err)})
		return nil
	})
}

func describeTxn(ctx context.Context, bootstrap string, s step) error {
	id := s.str("txn_id")
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		ds, err := adm.DescribeTransactions(octx, id)
		if err != nil {
			return err
		}
		d, ok := ds[id]
		if !ok {
			return fmt.Errorf("%s not in the answer", id)
		}
		if d.Err != nil {
			return d.Err
		}
		emit("txn_state", obj{"state": d.State, "producer_id": d.ProducerID,
			"producer_epoch": d.ProducerEpoch, "timeout_ms": d.TimeoutMillis,
			"topics": d.Topics.Sorted()})
		return nil
	})
}

func listTxns(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		ls, err := adm.ListTransactions(octx, nil, nil)
		if err != nil {
			return err
		}
		txns := obj{}
		for id, t := range ls {
			txns[id] = obj{"state": t.State, "producer_id": t.ProducerID}
		}
		emit("txns", obj{"txns": txns})
		return nil
	})
}

// logDirs: kadm's DescribeAllLogDirs, one "log_dir" line per broker and directory with each
// partition's size ("topic/partition": size).
func logDirs(ctx context.Context, bootstrap string, s step) error {
	return adminOp(ctx, bootstrap, func(octx context.Context, adm *kadm.Client) error {
		all, err := adm.DescribeAllLogDirs(octx, nil)
		if err != nil {
			return err
		}
		for _, dirs := range all {
			for _, d := range dirs {
				if d.Err != nil {
					return d.Err
				}
				sizes := obj{}
				for topic, parts := range d.Topics {
					for p, info := range parts {
						sizes[fmt.Sprintf("%s/%d", topic, p)] = info.Size
					}
				}
				emit("log_dir", obj{"broker": d.Broker, "dir": d.Dir, "total_bytes": d.TotalBytes,
					"usable_bytes": d.UsableBytes, "sizes": sizes})
			}
		}
		return nil
	})
}
