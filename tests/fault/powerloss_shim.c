/* powerloss_shim.c: LD_PRELOAD library for the power-loss test (tests/fault/test_powerloss.py).
 *
 * It records, for every file under $SLUICE_SHIM_DIR, how many bytes are known to be durable:
 * just BEFORE a real fsync()/fdatasync() runs, it takes the file's size (everything written up
 * to that moment is covered by the sync); once the sync returns 0 it appends
 *     S <size> <path>\n
 * to the journal $SLUICE_SHIM_JOURNAL (kept outside the data dir, opened O_APPEND; one write()
 * per line, so lines never interleave). A size taken before the call is conservative: bytes
 * written concurrently, while the sync runs, count as not durable. ftruncate() appends
 *     T <length> <path>\n
 * (a shrink: the durable length cannot exceed the new length).
 *
 * After the broker is SIGKILLed, the test replays the journal and cuts every segment (.log) back
 * to its last durable length, dropping all unsynced writes, like LevelDB's fault_injection_test.
 * Only fsync/fdatasync/ftruncate are intercepted: the data path writes with pwrite, and a write
 * needs no bookkeeping when durability is decided at sync time. Not modelled: directory entries
 * (a file created but never followed by a directory fsync would vanish; Sluice fsyncs the
 * directory after creating a segment), and sync_file_range/O_DSYNC/io_uring (Sluice uses none).
 *
 * Build: cc -shared -fPIC -O2 -o powerloss_shim.so powerloss_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_ftruncate)(int, off_t);
static const char* watch_dir;
static size_t watch_len;
static int journal_fd = -1;

__attribute__((constructor)) static void shim_init(void) {
  real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  real_ftruncate = (int (*)(int, off_t))dlsym(RTLD_NEXT, "ftruncate");
  watch_dir = getenv("SLUICE_SHIM_DIR");
  const char* journal = getenv("SLUICE_SHIM_JOURNAL");
  if (watch_dir) watch_len = strlen(watch_dir);
  if (journal) journal_fd = open(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/* The path of fd if it is a regular file under the watched directory, else NULL. */
static const char* watched_path(int fd, char* buf, size_t n) {
  if (!watch_dir || journal_fd < 0) return NULL;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t len = readlink(link, buf, n - 1);
  if (len <= 0) return NULL;
  buf[len] = 0;
  if (strncmp(buf, watch_dir, watch_len) != 0 || buf[watch_len] != '/') return NULL;
  return buf;
}

static void journal(char kind, long long size, const char* path) {
  char line[PATH_MAX + 64];
  int n = snprintf(line, sizeof line, "%c %lld %s\n", kind, size, path);
  if (n > 0 && (size_t)n < sizeof line) {
    ssize_t w = write(journal_fd, line, (size_t)n);
    (void)w;
  }
}

static int synced(int fd, int (*real)(int)) {
  char path[PATH_MAX];
  const char* p = watched_path(fd, path, sizeof path);
  struct stat st;
  long long size = -1;
  if (p && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size = (long long)st.st_size;
  int r = real(fd);
  if (r == 0 && size >= 0) journal('S', size, p);
  return r;
}

int fsync(int fd) { return synced(fd, real_fsync); }
int fdatasync(int fd) { return synced(fd, real_fdatasync); }

int ftruncate(int fd, off_t length) {
  int r = real_ftruncate(fd, length);
  char path[PATH_MAX];
  const char* p = r == 0 ? watched_path(fd, path, sizeof path) : NULL;
  if (p) journal('T', (long long)length, p);
  return r;
}
